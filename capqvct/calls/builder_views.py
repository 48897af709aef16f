"""The form builder's pages: a call's form as an outline of sections and questions, edited one by one.

Each change is made by a function of builder.py on the current definition and saved through
services.save_form (which validates it, and makes a new version once the call is published).
Calls are fetched through calls_managed_by: another region's call is a 404; a user who manages no
region gets a 403. A closed call's form is shown read-only.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from capqvct.calls import builder, services
from capqvct.calls.builder_forms import QuestionForm, SectionForm, kind_choices
from capqvct.calls.formdef.schema import KIND_LABELS, KINDS_IN_REPEATED, Kind, validate_definition
from capqvct.calls.manage_views import _call_crumbs
from capqvct.calls.models import Call, CallStatus
from capqvct.calls.permissions import require_manager
from capqvct.calls.selectors import calls_managed_by
from capqvct.core.exceptions import Refusal

READ_ONLY = "Cet appel est clos : son formulaire ne peut plus être modifié."
BUILDER_TITLE = "Construire le formulaire"


def _call_for(request, pk: int) -> Call:
    require_manager(request.user)
    return get_object_or_404(calls_managed_by(request.user), pk=pk)


def _outline_url(call: Call, anchor: str = "") -> str:
    url = reverse("calls:manage_form_builder", args=[call.pk])
    return f"{url}#{anchor}" if anchor else url


def _definition(call: Call) -> dict:
    return services.current_form(call).definition


def _saved_message(call: Call, version, what: str) -> str:
    if call.status == CallStatus.DRAFT:
        return f"{what}."
    return f"{what} : version {version.number} du formulaire."


def _apply(request, call: Call, change, *, success: str, anchor: str = ""):
    """Run a builder change and save it; the refusal or success becomes a message on the outline."""
    try:
        if call.status == CallStatus.CLOSED:
            raise Refusal(READ_ONLY)
        version = services.save_form(call=call, definition=change(_definition(call)), by=request.user)
    except builder.Missing as missing:
        raise Http404(missing.message) from None
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _saved_message(call, version, success))
    return redirect(_outline_url(call, anchor))


def _page(request, call: Call, template: str, title: str, **context):
    return render(
        request,
        f"calls/manage/builder/{template}",
        {
            "page_title": f"{title} — {call.title}",
            "title": title,
            "call": call,
            "outline_url": _outline_url(call),
            "breadcrumb": [
                *_call_crumbs(call, BUILDER_TITLE)[:-1],
                (BUILDER_TITLE, _outline_url(call)),
                (title, None),
            ],
            **context,
        },
    )


def _closed(request, call: Call):
    if call.status == CallStatus.CLOSED:
        messages.error(request, READ_ONLY)
        return redirect(_outline_url(call))
    return None


# The outline


def form_builder(request, pk: int):
    """The sections and questions in order, each with its kind, condition and buttons."""
    call = _call_for(request, pk)
    version = services.current_form(call)
    return render(
        request,
        "calls/manage/builder/outline.html",
        {
            "page_title": f"{BUILDER_TITLE} — {call.title}",
            "call": call,
            "version": version,
            "sections": builder.outline(version.definition),
            "definition_errors": validate_definition(version.definition),
            "read_only": call.status == CallStatus.CLOSED,
            "kinds": kind_choices(),
            "kinds_in_repeated": kind_choices(KINDS_IN_REPEATED),
            "breadcrumb": _call_crumbs(call, BUILDER_TITLE),
        },
    )


# Sections


def section_add(request, pk: int):
    call = _call_for(request, pk)
    if response := _closed(request, call):
        return response
    form = SectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            definition, key = builder.add_section(_definition(call), **form.cleaned_data)
            version = services.save_form(call=call, definition=definition, by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _saved_message(call, version, "Section ajoutée"))
            return redirect(_outline_url(call, f"section-{key}"))
    return _page(
        request, call, "section_form.html", "Nouvelle section", form=form, submit_label="Ajouter la section"
    )


def section_edit(request, pk: int, section: str):
    call = _call_for(request, pk)
    if response := _closed(request, call):
        return response
    current = _or_404(lambda: builder.find_section(_definition(call), section))
    form = SectionForm(
        request.POST or None,
        initial={"title": current.get("title", ""), "description": current.get("description", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            definition = builder.update_section(_definition(call), section, **form.cleaned_data)
            version = services.save_form(call=call, definition=definition, by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _saved_message(call, version, "Section enregistrée"))
            return redirect(_outline_url(call, f"section-{section}"))
    return _page(
        request, call, "section_form.html", "Modifier la section", form=form, submit_label="Enregistrer"
    )


@require_POST
def section_move(request, pk: int, section: str, direction: str):
    call = _call_for(request, pk)
    direction = _direction(direction)
    return _apply(
        request,
        call,
        lambda definition: builder.move_section(definition, section, direction),
        success="Section déplacée",
        anchor=f"section-{section}",
    )


@require_POST
def section_delete(request, pk: int, section: str):
    call = _call_for(request, pk)
    return _apply(
        request,
        call,
        lambda definition: builder.remove_section(definition, section),
        success="Section supprimée",
    )


# Questions


def question_add(request, pk: int, section: str):
    """The question form for the kind chosen on the outline (?type=…); the question goes last."""
    call = _call_for(request, pk)
    if response := _closed(request, call):
        return response
    kind = _kind(request, Kind)
    definition = _definition(call)
    _or_404(lambda: builder.find_section(definition, section))
    form = QuestionForm(
        request.POST or None, kind=kind, targets=builder.condition_targets(definition, section_key=section)
    )
    if request.method == "POST" and form.is_valid():
        try:
            definition, key = builder.add_question(
                definition, section, kind=kind, attributes=form.attributes()
            )
            version = services.save_form(call=call, definition=definition, by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _saved_message(call, version, "Question ajoutée"))
            return redirect(_outline_url(call, f"question-{key}"))
    return _question_page(
        request, call, form, kind, title="Nouvelle question", submit_label="Ajouter la question"
    )


def question_edit(request, pk: int, key: str):
    call = _call_for(request, pk)
    if response := _closed(request, call):
        return response
    definition = _definition(call)
    question = _or_404(lambda: builder.find_question(definition, key))
    form = QuestionForm(
        request.POST or None,
        kind=question["kind"],
        targets=builder.condition_targets(definition, before=key),
        initial=QuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            definition = builder.update_question(definition, key, attributes=form.attributes())
            version = services.save_form(call=call, definition=definition, by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _saved_message(call, version, "Question enregistrée"))
            return redirect(_outline_url(call, f"question-{key}"))
    return _question_page(
        request, call, form, question["kind"], title="Modifier la question", submit_label="Enregistrer"
    )


@require_POST
def question_move(request, pk: int, key: str, direction: str):
    call = _call_for(request, pk)
    direction = _direction(direction)
    return _apply(
        request,
        call,
        lambda definition: builder.move_question(definition, key, direction),
        success="Question déplacée",
        anchor=f"question-{key}",
    )


@require_POST
def question_delete(request, pk: int, key: str):
    call = _call_for(request, pk)
    return _apply(
        request,
        call,
        lambda definition: builder.remove_question(definition, key),
        success="Question supprimée",
    )


# Sub-questions of a repeated block


def sub_question_add(request, pk: int, key: str):
    call = _call_for(request, pk)
    if response := _closed(request, call):
        return response
    kind = _kind(request, KINDS_IN_REPEATED)
    definition = _definition(call)
    block = _or_404(lambda: builder.find_question(definition, key))
    _or_404(lambda: builder.condition_targets(definition, block_key=key))
    form = QuestionForm(
        request.POST or None, kind=kind, targets=builder.condition_targets(definition, block_key=key)
    )
    if request.method == "POST" and form.is_valid():
        try:
            definition, sub = builder.add_sub_question(
                definition, key, kind=kind, attributes=form.attributes()
            )
            version = services.save_form(call=call, definition=definition, by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _saved_message(call, version, "Question ajoutée au bloc"))
            return redirect(_outline_url(call, f"question-{key}-{sub}"))
    return _question_page(
        request,
        call,
        form,
        kind,
        title="Nouvelle question du bloc",
        submit_label="Ajouter la question",
        block=block,
    )


def sub_question_edit(request, pk: int, key: str, sub: str):
    call = _call_for(request, pk)
    if response := _closed(request, call):
        return response
    definition = _definition(call)
    block = _or_404(lambda: builder.find_question(definition, key))
    question = _or_404(lambda: builder.find_question(definition, sub, block_key=key))
    siblings = block.get("fields", [])
    earlier = siblings[: next(i for i, field in enumerate(siblings) if field.get("key") == sub)]
    targets = [
        t
        for t in builder.condition_targets(definition, block_key=key)
        if t["key"] in {f.get("key") for f in earlier}
    ]
    form = QuestionForm(
        request.POST or None,
        kind=question["kind"],
        targets=targets,
        initial=QuestionForm.initial_for(question),
    )
    if request.method == "POST" and form.is_valid():
        try:
            definition = builder.update_sub_question(definition, key, sub, attributes=form.attributes())
            version = services.save_form(call=call, definition=definition, by=request.user)
        except Refusal as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _saved_message(call, version, "Question du bloc enregistrée"))
            return redirect(_outline_url(call, f"question-{key}-{sub}"))
    return _question_page(
        request,
        call,
        form,
        question["kind"],
        title="Modifier la question du bloc",
        submit_label="Enregistrer",
        block=block,
    )


@require_POST
def sub_question_move(request, pk: int, key: str, sub: str, direction: str):
    call = _call_for(request, pk)
    direction = _direction(direction)
    return _apply(
        request,
        call,
        lambda definition: builder.move_sub_question(definition, key, sub, direction),
        success="Question déplacée",
        anchor=f"question-{key}-{sub}",
    )


@require_POST
def sub_question_delete(request, pk: int, key: str, sub: str):
    call = _call_for(request, pk)
    return _apply(
        request,
        call,
        lambda definition: builder.remove_sub_question(definition, key, sub),
        success="Question retirée du bloc",
        anchor=f"question-{key}",
    )


# Helpers


def _question_page(request, call, form, kind, *, title, submit_label, block=None):
    return _page(
        request,
        call,
        "question_form.html",
        title,
        form=form,
        kind_label=KIND_LABELS[Kind(kind)],
        submit_label=submit_label,
        block=block,
        kind_fields=[form[name] for name in form.kind_field_names],
    )


def _kind(request, allowed) -> str:
    kind = request.GET.get("type", "")
    if kind not in {str(k) for k in allowed}:
        raise Http404("Type de question inconnu.")
    return kind


# The move buttons' addresses end in « haut » or « bas ».
DIRECTIONS = {"haut": builder.UP, "bas": builder.DOWN}


def _direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise Http404("Direction inconnue.")
    return DIRECTIONS[direction]


def _or_404(find):
    try:
        return find()
    except builder.Missing as missing:
        raise Http404(missing.message) from None
