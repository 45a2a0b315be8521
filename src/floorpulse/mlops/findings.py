"""What in a drift report calls for an alert: one finding per cause, with its evidence and a
sentence a supervisor can act on. Pure: a report in, findings out."""

from dataclasses import dataclass
from typing import Any

from floorpulse.mlops.schemas import (
    ConfidenceEvidence,
    DriftReport,
    MixEvidence,
    ProductivityShift,
    ScopeDrift,
    Silence,
)

# Signals whose alerts are retraining triggers (sent to the webhooks); a silent camera needs
# a technician, not a new model.
DRIFT_SIGNALS = ("confidence", "mix", "productivity")


@dataclass(frozen=True)
class Finding:
    signal: str
    scope: str
    subject: str
    summary: str
    evidence: dict[str, Any]

    @property
    def cause(self) -> str:
        """What makes two findings the same alert: the signal of one subject."""
        return f"{self.signal}:{self.scope}:{self.subject}"

    @property
    def drift(self) -> bool:
        return self.signal in DRIFT_SIGNALS


def findings(report: DriftReport) -> list[Finding]:
    window = {"from": report.from_.isoformat(), "to": report.to.isoformat()}
    found: list[Finding] = []
    for scope in [*report.models, *report.cameras]:
        if scope.confidence.alert:
            found.append(_confidence(scope, scope.confidence, window))
        if scope.mix.alert:
            found.append(_mix(scope, scope.mix, window))
    found += [_productivity(shift, window) for shift in report.productivity if shift.alert]
    found += [_silence(camera, window) for camera in report.silence if camera.alert]
    return found


def _name(scope: ScopeDrift) -> str:
    kind = "Model" if scope.scope == "model" else "Camera"
    return f"{kind} {scope.key or '(none named)'}"


def _evidence(part: Any, window: dict[str, str]) -> dict[str, Any]:
    return {"window": window, **part.model_dump(mode="json")}


def _confidence(scope: ScopeDrift, c: ConfidenceEvidence, window: dict[str, str]) -> Finding:
    whose = "its cameras'" if c.compared_with == "cameras" else "its"
    reasons = []
    if c.below_floor:
        reasons.append(f"under the floor of {c.floor}")
    if c.dropped and c.drop is not None:
        reasons.append(
            f"{c.drop:.1%} below {whose} {c.previous_mean:.3f} the {c.span_days} days before"
        )
    summary = (
        f"{_name(scope)}: mean confidence {c.mean:.3f} over the last {c.span_days} days, "
        + " and ".join(reasons)
    )
    return Finding("confidence", scope.scope, scope.key or "", summary, _evidence(c, window))


def _mix(scope: ScopeDrift, m: MixEvidence, window: dict[str, str]) -> Finding:
    moved = max(m.current, key=lambda kind: abs(m.current[kind] - m.baseline.get(kind, 0.0)))
    summary = (
        f"{_name(scope)}: event mix shifted (PSI {m.psi:.2f}, alert above {m.threshold}); "
        f"{moved} {m.current[moved]:.0%} of detections against {m.baseline.get(moved, 0.0):.0%}"
    )
    return Finding("mix", scope.scope, scope.key or "", summary, _evidence(m, window))


def _productivity(p: ProductivityShift, window: dict[str, str]) -> Finding:
    metric = "utilization" if p.metric == "utilization" else "units per working hour"
    side = "below" if p.direction == "fell" else "above"
    summary = (
        f"{p.scope.capitalize()}s' {metric} {p.direction} on {p.date}: {len(p.deviating)} of "
        f"{p.judged} more than {p.limit_sd} sd {side} their own {p.baseline_days}-day baseline"
    )
    return Finding("productivity", p.scope, p.metric, summary, _evidence(p, window))


def _silence(s: Silence, window: dict[str, str]) -> Finding:
    minutes = (s.silent_seconds or 0) / 60
    summary = (
        f"Camera {s.camera_id} silent for {minutes:.0f} min, at a time of day it was heard "
        f"all through on {s.usual_days} of the last 7 days"
    )
    return Finding("silence", "camera", s.camera_id, summary, _evidence(s, window))
