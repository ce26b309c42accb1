"""The catalogue's release gates and switches are the ones panel descriptions state (one copy of each fact)."""

from __future__ import annotations

import re

import pytest

from triton_dash.analysis.promql import SelectorUse, binary_op, parse, selectors
from triton_dash.analysis.variables import expand, offline_values, targets
from triton_dash.build import compile_builtin
from triton_dash.metrics import CATALOGUE, lookup
from triton_dash.profile import Profile

#: The default build and the dcgm GPU source's (whose overview has the DCGM GPU row instead).
DCGM = Profile(gpu_source="dcgm", dcgm_pod_label="exported_pod")
BUILDS = [*compile_builtin(), *(c for c in compile_builtin(profile=DCGM)
                                if c.stem == "triton-overview")]
CASES = [(c.stem, panel, [t["expr"] for p, t in targets(c.document) if p is panel], c.document)
         for c in BUILDS for panel in c.document["panels"] if panel.get("targets")]
CASES += [(c.stem, child, [t["expr"] for t in child["targets"]], c.document) for c in BUILDS
          for row in c.document["panels"] if row["type"] == "row" for child in row.get("panels", [])]


def _required(use: SelectorUse) -> bool:
    """False for a family read only on the left of ``or`` (an optional one with a fallback)."""
    chain = (*use.parents, use.node)
    return not any(binary_op(p) == "or" and chain[i + 1] is p.lhs for i, p in enumerate(use.parents))


def _families(doc: dict[str, object], exprs: list[str], *, optional_too: bool = False) -> set[str]:
    values = offline_values(doc)
    names = {use.name for expr in exprs for use in selectors(parse(expand(expr, values)))
             if optional_too or _required(use)}
    out = set()
    for name in names:
        metric = lookup(name)
        if metric is not None:
            out.add(metric.name if metric.name in CATALOGUE else re.sub(r"_(bucket|sum|count)$", "", metric.name))
    return out


@pytest.mark.parametrize(("stem", "panel", "exprs", "doc"), CASES, ids=[f"{c[0]}:{c[1]['title']}" for c in CASES])
def test_description_states_the_gates_of_what_it_reads(stem: str, panel: dict[str, object], exprs: list[str],
                                                       doc: dict[str, object]) -> None:
    description = str(panel["description"])
    for name in _families(doc, exprs):
        metric = CATALOGUE[name]
        if metric.since:
            assert f"from Triton {metric.since} on" in description, (name, metric.since)
        if metric.enable:
            assert metric.enable in description, (name, metric.enable)


def test_every_gated_family_but_three_is_on_a_dashboard() -> None:
    """The gated families no built-in panel reads (catalogued for check and lint) are exactly these."""
    gated = {m.name for m in CATALOGUE.values() if (m.since or m.enable) and m.source != "dcgm"}
    read = set().union(*(_families(doc, exprs) for _, _, exprs, doc in CASES))
    assert gated - read == {"nv_cache_hit_duration_per_model", "nv_cache_num_entries", "nv_inference_queue_summary_us"}


def test_the_gated_dcgm_families_no_panel_reads() -> None:
    """With gpu_source=dcgm the panels read every gated DCGM family but these (catalogued for check and lint)."""
    gated = {m.name for m in CATALOGUE.values() if (m.since or m.enable) and m.source == "dcgm"}
    read = set().union(*(_families(doc, exprs, optional_too=True) for _, _, exprs, doc in CASES))
    assert gated - read == {
        "DCGM_EXP_XID_ERRORS_COUNT", "DCGM_FI_DEV_DEC_UTIL", "DCGM_FI_DEV_ENC_UTIL", "DCGM_FI_DEV_FB_TOTAL",
        "DCGM_FI_DEV_MEM_COPY_UTIL", "DCGM_FI_PROF_PCIE_RX_BYTES", "DCGM_FI_PROF_PCIE_TX_BYTES",
        "DCGM_FI_PROF_PIPE_FP16_ACTIVE", "DCGM_FI_PROF_PIPE_FP32_ACTIVE", "DCGM_FI_PROF_PIPE_FP64_ACTIVE",
        "DCGM_FI_PROF_SM_ACTIVE", "DCGM_FI_PROF_SM_OCCUPANCY"}
