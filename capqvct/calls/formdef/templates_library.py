"""Forms a call starts from, which the agent then adapts."""

from capqvct.calls.formdef.schema import Form
from capqvct.core.formatting import NARROW_NBSP

LONG_ANSWER = 3_000
FINESS_HELP = "Le numéro de l’établissement (ET), et non celui de l’entité juridique (EJ)."
HEAD_STATUS_HELP = (
    "Par exemple directeur d’établissement sanitaire, social et médico-social (D3S), "
    "gérant, directeur adjoint."
)
STEERING_HELP = (
    "Qui la conduira, avec quelle instance (comité QVT, groupe projet) et quel temps dégagé pour les "
    "séances collectives et le travail interne."
)


def standard_qvct_application() -> Form:
    """The standard QVCT application: the questions of the Occitanie « OMEGA » call (2021)."""
    return Form.from_json(
        {
            "format": 1,
            "sections": [
                {
                    "key": "structure",
                    "title": "Structure",
                    "description": "",
                    "fields": [
                        {
                            "key": "structure_name",
                            "kind": "short_text",
                            "label": "Nom de la structure",
                            "required": True,
                            "max_length": 200,
                            "from_directory": "name",
                        },
                        {
                            "key": "finess_et",
                            "kind": "establishment",
                            "label": "Numéro FINESS de l’établissement",
                            "help_text": FINESS_HELP,
                            "required": True,
                            "from_directory": "finess",
                        },
                        {
                            "key": "legal_status",
                            "kind": "single_choice",
                            "label": "Statut juridique",
                            "required": True,
                            "options": [
                                {"value": "public", "label": "Public"},
                                {"value": "private_non_profit", "label": "Privé non lucratif"},
                                {"value": "private_for_profit", "label": "Privé commercial"},
                            ],
                        },
                    ],
                },
                {
                    "key": "contact",
                    "title": "Coordonnées",
                    "description": "",
                    "fields": [
                        {
                            "key": "postal_address",
                            "kind": "long_text",
                            "label": "Adresse postale",
                            "required": True,
                            "max_length": 500,
                            "from_directory": "address",
                        },
                        {"key": "email", "kind": "email", "label": "Adresse e-mail", "required": True},
                        {"key": "phone", "kind": "phone", "label": "Téléphone", "required": True},
                    ],
                },
                {
                    "key": "head",
                    "title": "Direction",
                    "description": "",
                    "fields": [
                        {
                            "key": "head_name",
                            "kind": "short_text",
                            "label": "Nom et prénom du directeur ou de la directrice",
                            "required": True,
                            "max_length": 200,
                        },
                        {
                            "key": "head_status",
                            "kind": "short_text",
                            "label": "Statut du directeur ou de la directrice",
                            "help_text": HEAD_STATUS_HELP,
                            "required": True,
                            "max_length": 200,
                        },
                    ],
                },
                {
                    "key": "staff",
                    "title": "Effectifs",
                    "description": "",
                    "fields": [
                        {
                            "key": "staff_fte",
                            "kind": "decimal",
                            "label": "Effectif en équivalents temps plein (ETP)",
                            "required": True,
                            "min": 0,
                            "decimal_places": 2,
                        },
                        {
                            "key": "staff_headcount",
                            "kind": "integer",
                            "label": "Effectif en nombre de personnes",
                            "required": True,
                            "min": 0,
                        },
                    ],
                },
                {
                    "key": "project",
                    "title": "Votre projet",
                    "description": "",
                    "fields": [
                        {
                            "key": "motivation",
                            "kind": "long_text",
                            "label": "Pourquoi souhaitez-vous engager une démarche QVT, pour quel projet ou "
                            f"quelle problématique{NARROW_NBSP}?",
                            "required": True,
                            "max_length": LONG_ANSWER,
                        },
                        {
                            "key": "steering",
                            "kind": "long_text",
                            "label": f"Comment la démarche sera-t-elle pilotée{NARROW_NBSP}?",
                            "help_text": STEERING_HELP,
                            "required": True,
                            "max_length": LONG_ANSWER,
                        },
                        {
                            "key": "previous_actions",
                            "kind": "long_text",
                            "label": "Actions QVT déjà menées",
                            "required": False,
                            "max_length": LONG_ANSWER,
                        },
                    ],
                },
                {
                    "key": "trio",
                    "title": "Trinôme",
                    "description": "Le trinôme participe aux séances collectives et porte la démarche dans "
                    "l’établissement.",
                    "fields": [
                        {
                            "key": "trio",
                            "kind": "trio",
                            "label": "Composition du trinôme",
                            "required": True,
                            "required_parts": ["name", "function", "email"],
                        },
                    ],
                },
            ],
        }
    )
