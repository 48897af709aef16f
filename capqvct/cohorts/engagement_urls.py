from django.urls import path

from capqvct.cohorts import engagement_views

urlpatterns = [
    path("appels/<int:pk>/lettre-engagement/", engagement_views.template_page, name="engagement_template"),
    path("<int:pk>/lettres-engagement/envoyer/", engagement_views.send_letters, name="engagement_send"),
    path("participations/<int:pk>/lettre-engagement.pdf", engagement_views.letter, name="engagement_letter"),
    path(
        "participations/<int:pk>/lettre-engagement-signee.pdf",
        engagement_views.cosigned_letter,
        name="engagement_cosigned",
    ),
    path("trinome/<int:pk>/remplacer/", engagement_views.replace_member, name="engagement_replace"),
    # The personal link of a trinôme member: no account needed.
    path("signature/<str:token>/", engagement_views.sign, name="engagement_sign"),
    path(
        "signature/<str:token>/lettre.pdf", engagement_views.letter_by_link, name="engagement_letter_by_link"
    ),
]
