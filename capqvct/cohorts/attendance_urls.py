from django.urls import path

from capqvct.cohorts import attendance_views

urlpatterns = [
    path("seances/<int:pk>/emargement/", attendance_views.sheet, name="attendance_sheet"),
    path("seances/<int:pk>/emargement/present/", attendance_views.declare, name="attendance_declare"),
    path("seances/<int:pk>/emargement.pdf", attendance_views.sheet_pdf, name="attendance_pdf"),
    path("emargements/<int:pk>/", attendance_views.scan, name="attendance_scan"),
    path("rencontres/<int:pk>/compte-rendu/", attendance_views.visit_report, name="visit_report"),
]
