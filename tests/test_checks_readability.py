"""Plain language: a warning when the plain-text body reads above US grade 9."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from check_helpers import checked, edits, findings_for, notice_for, rule_ids, set_in

from notifier.checks.readability import grade, prose

DENSE = ("Notwithstanding comprehensive organisational cybersecurity countermeasures, "
         "unauthorised exfiltration of personally identifiable information necessitated "
         "immediate investigatory remediation, comprehensive infrastructural reconfiguration "
         "and organisational accountability documentation.")


def test_prose_joins_wrapped_lines_and_ends_items() -> None:
    text = "What happened\n-------------\n\nWe found a\nfault.\n\n- your name\n- your email\n"
    assert prose(text) == "What happened. We found a fault. your name. your email."


def test_grade_of_simple_and_dense_text() -> None:
    assert grade("We found a fault. We fixed it. You do not need to do anything.") < 3
    assert grade(DENSE) > 20


def test_plain_notice_has_no_readability_warning(tmp_path: Path) -> None:
    assert "plain.readability" not in rule_ids(findings_for(tmp_path))


def test_dense_wording_is_a_warning(tmp_path: Path) -> None:
    found = findings_for(tmp_path, edits(
        set_in("incident.summary", DENSE),
        set_in("incident.safe", [DENSE, DENSE]),
        set_in("incident.actions_taken", [DENSE, DENSE])))
    hit = [f for f in found if f.rule_id == "plain.readability"]
    assert [f.severity for f in hit] == ["warning"]
    assert hit[0].message.startswith("the plain-text body reads at US grade ")


PLAIN = {
    "de-DE": "Wir haben einen Fehler gefunden. Wir haben ihn behoben. Sie müssen nichts tun.",
    "fr-FR": "Nous avons trouvé une erreur. Nous l'avons corrigée. Vous n'avez rien à faire.",
    "es-ES": "Encontramos un error. Lo hemos corregido. No tiene que hacer nada.",
    "nl-NL": "We vonden een fout. We hebben die hersteld. U hoeft niets te doen.",
}
HARD = {
    "de-DE": ("Ungeachtet umfangreicher organisatorischer Informationssicherheitsmaßnahmen "
              "erforderte die unberechtigte Exfiltration personenbezogener Identifikationsdaten "
              "unverzügliche Untersuchungsmaßnahmen und infrastrukturelle Neukonfigurationen."),
    "fr-FR": ("Nonobstant l'exhaustivité des contre-mesures organisationnelles de cybersécurité, "
              "l'exfiltration non autorisée d'informations personnellement identifiables a "
              "nécessité une remédiation investigatoire immédiate et une reconfiguration "
              "infrastructurelle approfondie."),
    "es-ES": ("No obstante la exhaustividad de las contramedidas organizativas de ciberseguridad, "
              "la exfiltración no autorizada de información personalmente identificable "
              "requirió una remediación investigadora inmediata y una reconfiguración "
              "infraestructural exhaustiva."),
    "nl-NL": ("Niettegenstaande uitgebreide organisatorische informatiebeveiligingsmaatregelen "
              "noodzaakte de ongeautoriseerde exfiltratie van persoonsidentificerende gegevens "
              "onmiddellijke onderzoeksmaatregelen en infrastructurele herconfiguratie."),
}


def test_each_language_has_its_own_measure_and_target() -> None:
    from notifier.checks.readability import MEASURES, readability

    for locale, text in PLAIN.items():
        measure, value = readability(text, locale)
        assert measure is MEASURES[locale[:2]] and measure.meets(value), (locale, value)
        measure, value = readability(HARD[locale], locale)
        assert not measure.meets(value), (locale, value)
    assert readability(DENSE, "en-GB") == (MEASURES["en"], grade(DENSE))


def test_a_dense_notice_in_another_language_is_a_warning(tmp_path: Path) -> None:
    sheet, notice = notice_for(tmp_path, edits(
        set_in("incident.summary", DENSE), set_in("incident.safe", [DENSE, DENSE])))
    dense = notice.text.replace(DENSE, HARD["de-DE"])
    found = checked(sheet, dataclasses.replace(notice, locale="de-DE", text=dense))
    assert "plain.readability" in found


