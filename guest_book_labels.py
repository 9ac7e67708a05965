"""The guest book's coded answers (gender, education, occupation, institution, purpose ...) with their labels in
the screen's language: one wording for every screen that shows them (kiosk, online page, counter, rights screen,
reports)."""

from __future__ import annotations

from flask_babel import gettext as _


def choice_labels() -> dict:
    """The guest book's coded answers with their labels in the screen's language."""
    return {
        "gender": {"L": _("Male"), "P": _("Female")},
        "education": {
            "sd": _("Primary school or lower"),
            "smp": _("Junior high school"),
            "sma": _("Senior high school"),
            "d1_d3": _("Diploma (D1–D3)"),
            "d4_s1": _("Bachelor (D4/S1)"),
            "s2": _("Master (S2)"),
            "s3": _("Doctorate (S3)"),
        },
        "occupation": {
            "student": _("Student"),
            "lecturer_teacher": _("Lecturer or teacher"),
            "researcher": _("Researcher"),
            "civil_servant": _("Civil servant"),
            "military_police": _("Military or police"),
            "private_employee": _("Private employee"),
            "entrepreneur": _("Entrepreneur"),
            "other": _("Other"),
        },
        "institution_category": {
            "central_government": _("Central government agency / state body"),
            "regional_government": _("Regional government"),
            "domestic_education": _("Domestic education or research institution"),
            "foreign_mission": _("Foreign mission"),
            "international_org": _("International organisation"),
            "state_enterprise": _("State/regional enterprise (BUMN/BUMD)"),
            "private": _("Private company"),
            "individual": _("Individual"),
            "other": _("Other"),
        },
        "purpose": {
            "coursework": _("School or college assignment"),
            "thesis": _("Thesis or dissertation"),
            "research": _("Research"),
            "government_planning": _("Government planning and evaluation"),
            "business": _("Business"),
            "other": _("Other"),
        },
        "priority_reason": {
            "disability": _("Person with a disability"),
            "elderly": _("Elderly"),
            "pregnant": _("Pregnant"),
            "infant": _("With an infant"),
        },
    }
