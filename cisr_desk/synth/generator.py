"""generate_set: a folder of realistic test scans plus the truth.json a careful clerk would key.

Planning (which forms, values, faults, batch layout, page numbers) happens up front from one
``random.Random(seed)``; drawing and scanning each file then uses its own derived seed, so the
output is the same for a seed whether files are rendered serially or in parallel processes.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from cisr_desk.domain.catalog import FIELD_TYPES
from cisr_desk.domain.template import FormTemplate, load_templates
from cisr_desk.paths import demo_registry, forms_dir
from cisr_desk.synth import pages, scan, writers
from cisr_desk.synth.content import REV19, REV26, FormPlan, plan_form, stamp_possible
from cisr_desk.synth.rules import Provider, load_registry

PAPER_STYLES = ("typed", "hand")


@dataclass
class Item:
    """One thing in a file, in order: a form (with its attachment), a separator sheet or a cover letter."""
    kind: str  # "form" | "separator" | "cover"
    plan: FormPlan | None = None
    pages: list[int] = field(default_factory=list)  # 1-based file pages, in drawing order
    upside_down: list[bool] = field(default_factory=list)
    cover: tuple[Provider, list[str], dt.date] | None = None
    writer: str | None = None  # who hand-printed the form (a name in ``writers.roster()``)


@dataclass
class FilePlan:
    name: str
    dpi: int | str | None  # None: digital (not scanned)
    items: list[Item]
    seed: int
    pages: int = 0


def _dpi_value(dpi: int | str | None) -> int | None:
    return None if dpi is None else 204 if dpi == "fax" else int(dpi)


def _parse_dpis(dpis) -> list[int | str]:
    out: list[int | str] = []
    for d in dpis:
        out.append("fax" if str(d).lower() == "fax" else int(d))
    return out


def plan_set(n_forms: int, seed: int, styles, dpis, batch_size: tuple[int, int], faults: bool,
             templates: dict[str, FormTemplate], registry: dict[str, Provider],
             writer_pool: str = "all") -> list[FilePlan]:
    """Decide every file, form, value, writer and page number before anything is drawn.

    Writers are drawn from a stream of their own, so the forms' contents for a seed do not
    depend on which pool the writers come from.
    """
    rng = random.Random(seed)
    who = random.Random(f"writers:{seed}:{writer_pool}")
    styles = [s for s in styles if s in ("typed", "hand", "digital")] or ["typed"]
    paper = [s for s in styles if s != "digital"]
    dpis = _parse_dpis(dpis) or [300]
    lo, hi = batch_size
    files: list[FilePlan] = []
    counters = {"batch": 0, "scan": 0, "digital": 0}
    left = n_forms
    while left > 0:
        digital = "digital" in styles and (not paper or rng.random() < 0.25)
        if digital:
            k, dpi = 1, None
        else:
            k, dpi = min(left, rng.randint(lo, max(lo, hi))), rng.choice(dpis)
        plans = []
        for _ in range(k):
            tid = REV26 if rng.random() < 0.7 else REV19
            tpl = templates[tid]
            style = "digital" if digital else rng.choice(paper)
            combs = {f.key for f in tpl.fields if f.cells}
            page2 = {f.key for f in tpl.fields if f.page >= 1}
            stamp = stamp_possible(tid, style) and rng.random() < 0.7
            plans.append(plan_form(rng, tid, tpl.keys, page2, style, registry, combs, faults=faults, stamp=stamp))
        kind = "digital" if digital else "batch" if k > 1 else "scan"
        counters[kind] += 1
        items = _layout(rng, plans, templates, paper=not digital)
        for item in items:
            if item.plan is not None and item.plan.style == "hand":
                item.writer = writers.choose(who, writer_pool).name
        fp = FilePlan(f"{kind}-{counters[kind]:03d}.pdf", dpi, items, rng.getrandbits(63))
        page = 0
        for item in items:
            item.pages = list(range(page + 1, page + 1 + len(item.upside_down)))
            page += len(item.upside_down)
        fp.pages = page
        files.append(fp)
        left -= k
    return files


def _layout(rng: random.Random, plans: list[FormPlan], templates: dict[str, FormTemplate], paper: bool) -> list[Item]:
    items: list[Item] = []
    flip = (lambda: rng.random() < 0.04) if paper else (lambda: False)

    def cover(rest: list[FormPlan]) -> None:
        """A DRP's letter in front of the forms it sends (those that follow and name the same DRP)."""
        prov = rest[0].provider
        if prov is None:
            return
        names = [p.customer_name for p in rest if p.provider and p.provider.reg == prov.reg]
        when = max((p.received or dt.date(2026, 6, 1)) for p in rest) - dt.timedelta(days=rng.randint(2, 6))
        items.append(Item("cover", upside_down=[False], cover=(prov, names, when)))

    if paper and len(plans) > 1 and rng.random() < 0.3:
        cover(plans)
    for n, plan in enumerate(plans):
        if paper and (n > 0 or not items) and rng.random() < 0.12:
            items.append(Item("separator", upside_down=[False]))
        elif paper and n > 0 and rng.random() < 0.05:
            cover(plans[n:])
        count = templates[plan.template_id].pages.__len__() - (1 if plan.page_missing else 0)
        if plan.attachment and plan.attachment_included:
            count += 1
        items.append(Item("form", plan=plan, upside_down=[flip() for _ in range(count)]))
    return items


def _form_truth(item: Item, fp: FilePlan, registry: dict[str, Provider]) -> dict:
    plan = item.plan
    assert plan is not None
    fields = plan.truth_fields()
    meta: dict = {}
    if plan.attachment:
        meta["attachment_accounts"] = [{"number": "".join(c for c in n if c.isdigit()), "address": a}
                                       for n, a in plan.attachment]
        meta["attachment_included"] = plan.attachment_included
    meta["drp1_registered"] = fields.get("drp1_id", "") in registry
    if plan.provider is not None:
        meta["drp_contact"] = plan.provider.contact
    if plan.received:
        meta["received_date"] = plan.received.isoformat()
    meta["upside_down_pages"] = [p for p, u in zip(item.pages, item.upside_down) if u]
    meta["page_missing"] = plan.page_missing
    meta["injected_faults"] = list(plan.faults)
    meta["written"] = {k: v for k, v in plan.written.items() if v and not (plan.page_missing and k in plan.page2_keys)}
    return {"pages": item.pages, "template": plan.template_id, "style": plan.style, "writer": item.writer,
            "writer_pool": writers.pool_of(item.writer) if item.writer else None, "dpi": _dpi_value(fp.dpi),
            "fax": fp.dpi == "fax", "fields": fields, "expected_issues": plan.issues(registry), "meta": meta}


def render_file(fp: FilePlan, out_dir: str, forms_folder: str) -> str:
    """Draw and scan one file (runs in a worker process; everything it needs is in its arguments)."""
    templates = load_templates(Path(forms_folder))
    rng = random.Random(fp.seed)
    out_path = Path(out_dir) / fp.name
    if fp.dpi is None:
        plan = fp.items[0].plan
        assert plan is not None
        doc = pages.fill_digital(plan, templates[plan.template_id], rng)
        if plan.attachment and plan.attachment_included:  # the list of more accounts, typed, after the form
            doc.insert_pdf(pages.attachment_page(plan, rng))
        doc.save(out_path, garbage=3, deflate=True)
        return fp.name
    out = pymupdf.open()
    for item in fp.items:
        flips = iter(item.upside_down)
        if item.kind == "separator":
            src = pages.blank_sheet()
            scan.add_scanned_page(out, src[0], fp.dpi, rng, upside_down=next(flips), blank=True)
        elif item.kind == "cover" and item.cover:
            src = pages.cover_letter(*item.cover, rng)
            scan.add_scanned_page(out, src[0], fp.dpi, rng, upside_down=next(flips))
        elif item.plan is not None:
            plan = item.plan
            writer = writers.roster()[item.writer] if item.writer else None
            src = pages.draw_form(plan, templates[plan.template_id], rng, writer)
            for i in range(len(src)):
                if i == 1 and plan.page_missing:
                    continue
                scan.add_scanned_page(out, src[i], fp.dpi, rng, upside_down=next(flips))
            if plan.attachment and plan.attachment_included:
                att = pages.attachment_page(plan, rng, writer)
                scan.add_scanned_page(out, att[0], fp.dpi, rng, upside_down=next(flips))
    out.save(out_path, garbage=3, deflate=False)
    return fp.name


def generate_set(out_dir: Path, n_forms: int, seed: int = 0, *, styles=("typed", "hand", "digital"),
                 dpis=(150, 200, 300, "fax"), batch_size=(1, 6), faults: bool = True,
                 workers: int | None = None, writer_pool: str = "all") -> Path:
    """Write ``n_forms`` forms as PDF files plus ``truth.json`` into ``out_dir``; return the truth path.

    Hand-printed forms are written by writers of ``writer_pool``: "tuning" for anything that fits
    or tunes the readers, "held-out" or "all" (half of each) to measure them.

    ``workers`` processes render files in parallel (default: the CPU count, serial for tiny sets);
    the output does not depend on it.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = forms_dir()
    templates = load_templates(folder)
    registry = load_registry(demo_registry())
    writers.pool(writer_pool)  # an unknown pool fails here, before anything is written
    files = plan_set(n_forms, seed, styles, dpis, tuple(batch_size), faults, templates, registry, writer_pool)
    workers = workers if workers is not None else (1 if n_forms <= 4 else min(os.cpu_count() or 1, 8))
    if workers > 1 and len(files) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(render_file, files, [str(out_dir)] * len(files), [str(folder)] * len(files)))
    else:
        for fp in files:
            render_file(fp, str(out_dir), str(folder))
    truth = {
        "count": n_forms,
        "registry": demo_registry().name,
        "writers": writer_pool,
        "templates": {tid: {"pages": len(t.pages), "fields": {k: FIELD_TYPES[k].value for k in t.keys}}
                      for tid, t in sorted(templates.items(), reverse=True)},
        "files": [],
    }
    for fp in files:
        entry: dict = {"file": fp.name, "pages": fp.pages, "forms": [], "non_form_pages": [], "non_form_kinds": {}}
        for item in fp.items:
            if item.kind == "form":
                entry["forms"].append(_form_truth(item, fp, registry))
            else:
                entry["non_form_pages"].extend(item.pages)
                entry["non_form_kinds"].update({str(p): item.kind for p in item.pages})
        truth["files"].append(entry)
    path = out_dir / "truth.json"
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
