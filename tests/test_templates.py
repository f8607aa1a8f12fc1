import json

from cisr_desk.capture.templates import derive_template
from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.fields import FieldType
from cisr_desk.domain.template import load_templates
from cisr_desk.paths import forms_dir


def test_shipped_templates_match_their_blanks():
    """forms/*.json are data derived from the blanks: deriving again gives the same file."""
    for tid, template in load_templates(forms_dir()).items():
        fresh = derive_template(template.blank_path, tid, template.title)
        assert fresh.to_json() == json.loads((forms_dir() / f"{tid}.json").read_text())


def test_templates_have_the_fields_of_FIELDS_md():
    templates = load_templates(forms_dir())
    new, old = templates["14-941-rev-2026-03"], templates["14-941-rev-2019-07"]
    assert len(new.pages) == 2 and len(old.pages) == 1
    assert new.has("sa5_number") and not old.has("sa4_number")
    assert new.has("drp_signature") and not old.has("customer_email")
    assert new.field("customer_account").is_comb and len(new.field("customer_account").cells) == 10
    assert not old.field("customer_account").is_comb
    for t in templates.values():
        for f in t.fields:
            assert f.type is FIELD_TYPES[f.key]
        sig = t.field("customer_signature")
        assert sig.type is FieldType.SIGNATURE and sig.rect[2] - sig.rect[0] > 200
