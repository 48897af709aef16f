from django import template

from capqvct.core.sitemap import sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def sitemap_sections(context):
    """The site map's sections as the page's user sees them (see capqvct/core/sitemap.py)."""
    return sections_for(context)
