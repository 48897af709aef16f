"""Reference data: regions, départements and communes with their official (COG) codes.

Loaded from a fixture built from the npm package @etalab/decoupage-administratif (MIT licence)
by scripts/build_territory_fixture.py; read-only for everyone.
"""

from zoneinfo import ZoneInfo

from django.db import models


class Region(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    time_zone = models.CharField("fuseau horaire", max_length=40, default="Europe/Paris")

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100, db_index=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    postal_codes = models.JSONField("codes postaux", default=list, blank=True)

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.departement_id})"
