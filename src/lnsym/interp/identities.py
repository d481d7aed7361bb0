r"""The identities interpretability practice relies on, as named data, each checked by the prover.

TransformerLens folds the LayerNorm weights into the next reader, centers readers, and attributes
logits to residual components, all numerically and on trust. Here every such move names the
identity it uses, a :class:`~lnsym.prover.statement.Statement`, and :func:`check` asks the prover
for a verdict (cached: the statements do not depend on the data). True identities must come back
*proved*; the false variants that look just as plausible must come back *refuted* with a witness.

>>> check(FOLD).status.value
'proved'
>>> check(RMS_READER_CENTERING).status.value
'refuted'
"""

from __future__ import annotations

import functools

from lnsym.errors import LnsymError
from lnsym.prover.statement import Statement
from lnsym.prover.verdict import Proof, Status

__all__ = [
    "ATTRIBUTION_SCALE",
    "CENTERED_FOLD",
    "FOLD",
    "IDENTITIES",
    "LINEARITY_OF_C",
    "LINEARITY_OF_DOT",
    "PER_COMPONENT_LN",
    "READER_CENTERING",
    "RMS_ATTRIBUTION_SCALE",
    "RMS_CENTERED_ATTRIBUTION",
    "RMS_FOLD",
    "RMS_READER_CENTERING",
    "SCALE_INVARIANCE_WITH_EPS",
    "IdentityNotProvedError",
    "attribution_identity",
    "check",
    "require",
    "rms_attribution_identity",
]


class IdentityNotProvedError(LnsymError):
    """An identity a computation relies on did not get the verdict it needs from the prover."""


#: ⟨w, g⊙LN(x) + β⟩ + b = ⟨g⊙w, LN(x)⟩ + (⟨w, β⟩ + b): the affine LN folds into the reader.
FOLD = Statement(
    "dot(w, LNA(x, g, beta)) + b",
    "dot(hadamard(g, w), LN(x)) + (dot(w, beta) + b)",
    ("w", "x", "g", "beta"),
    ("b",),
    name="fold",
)
#: the fold with the folded reader centered: ⟨w, LNA(x, g, β)⟩ + b = ⟨c(g⊙w), LN(x)⟩ + (⟨w, β⟩ + b).
CENTERED_FOLD = Statement(
    "dot(w, LNA(x, g, beta)) + b",
    "dot(c(hadamard(g, w)), LN(x)) + (dot(w, beta) + b)",
    ("w", "x", "g", "beta"),
    ("b",),
    name="centered fold",
)
#: ⟨w, LN(x)⟩ = ⟨c(w), LN(x)⟩: LN's output is orthogonal to 1, so a reader may be centered.
READER_CENTERING = Statement(
    "dot(w, LN(x))", "dot(c(w), LN(x))", ("w", "x"), name="reader centering"
)
#: the same move after RMSNorm is wrong: RMS(x) is not orthogonal to 1.
RMS_READER_CENTERING = Statement(
    "dot(w, RMS(x))",
    "dot(c(w), RMS(x))",
    ("w", "x"),
    expect=Status.REFUTED,
    name="reader centering after RMSNorm",
)
#: ⟨w, LN(x)⟩ = √n⟨w, c(x)⟩/√(|c(x)|² + nε): the logit is linear in c(x) over one shared scale.
ATTRIBUTION_SCALE = Statement(
    "dot(w, LN(x))",
    "sqrt(n)*dot(w, c(x))/sqrt(norm(c(x))**2 + n*eps)",
    ("w", "x"),
    name="logit through the shared scale",
)
#: ⟨w, c(a + b)⟩ = ⟨w, c(a)⟩ + ⟨w, c(b)⟩: with the identity above, attribution for any number of parts.
LINEARITY_OF_C = Statement(
    "dot(w, c(a + b))",
    "dot(w, c(a)) + dot(w, c(b))",
    ("w", "a", "b"),
    name="linearity of the centered reading",
)
#: ⟨w, g⊙RMS(x) + β⟩ + b = ⟨g⊙w, RMS(x)⟩ + (⟨w, β⟩ + b): the affine RMSNorm folds into the reader
#: (uncentred: :data:`RMS_READER_CENTERING` is refuted).
RMS_FOLD = Statement(
    "dot(w, hadamard(g, RMS(x)) + beta) + b",
    "dot(hadamard(g, w), RMS(x)) + (dot(w, beta) + b)",
    ("w", "x", "g", "beta"),
    ("b",),
    name="RMSNorm fold",
)
#: ⟨w, RMS(x)⟩ = √n⟨w, x⟩/√(‖x‖² + nε): after RMSNorm the logit is linear in x over one shared scale.
RMS_ATTRIBUTION_SCALE = Statement(
    "dot(w, RMS(x))",
    "sqrt(n)*dot(w, x)/sqrt(norm(x)**2 + n*eps)",
    ("w", "x"),
    name="logit through the shared RMSNorm scale",
)
#: ⟨w, a + b⟩ = ⟨w, a⟩ + ⟨w, b⟩: with the identity above, RMSNorm attribution for any number of parts.
LINEARITY_OF_DOT = Statement(
    "dot(w, a + b)", "dot(w, a) + dot(w, b)", ("w", "a", "b"), name="linearity of the reading"
)
#: centring the components before an RMSNorm reading (LN's shares used for an RMS model) is wrong.
RMS_CENTERED_ATTRIBUTION = Statement(
    "dot(w, RMS(a + b))",
    "sqrt(n)*dot(w, c(a))/sqrt(norm(a + b)**2 + n*eps) + "
    "sqrt(n)*dot(w, c(b))/sqrt(norm(a + b)**2 + n*eps)",
    ("w", "a", "b"),
    expect=Status.REFUTED,
    name="centred components after RMSNorm",
)
#: per-component LN is not attribution: ⟨w, LN(a + b)⟩ ≠ ⟨w, LN(a)⟩ + ⟨w, LN(b)⟩.
PER_COMPONENT_LN = Statement(
    "dot(w, LN(a + b))",
    "dot(w, LN(a)) + dot(w, LN(b))",
    ("w", "a", "b"),
    expect=Status.REFUTED,
    name="per-component LN as attribution",
)
#: LN(αx) = LN(x) fails for ε > 0 (it holds only in the limit ε → 0).
SCALE_INVARIANCE_WITH_EPS = Statement(
    "LN(alpha*x)",
    "LN(x)",
    ("x",),
    ("alpha",),
    ("alpha > 0",),
    expect=Status.REFUTED,
    name="scale invariance with eps > 0",
)

#: every named identity of this module, by name.
IDENTITIES: dict[str, Statement] = {
    i.name: i
    for i in (
        FOLD,
        CENTERED_FOLD,
        READER_CENTERING,
        RMS_READER_CENTERING,
        ATTRIBUTION_SCALE,
        LINEARITY_OF_C,
        PER_COMPONENT_LN,
        SCALE_INVARIANCE_WITH_EPS,
        RMS_FOLD,
        RMS_ATTRIBUTION_SCALE,
        LINEARITY_OF_DOT,
        RMS_CENTERED_ATTRIBUTION,
    )
}

#: attribution identities over this many components are proved directly; beyond it, by induction
#: from :data:`ATTRIBUTION_SCALE` and :data:`LINEARITY_OF_C`.
DIRECT_ATTRIBUTION_MAX = 6


def attribution_identity(count: int) -> Statement:
    r"""⟨w, LNA(Σₖ aₖ, g, β)⟩ + b = Σₖ √n⟨g⊙w, c(aₖ)⟩/√(|c(Σⱼ aⱼ)|² + nε) + (⟨w, β⟩ + b).

    The components are named ``a1 … a{count}``.
    """
    if count < 1:
        raise LnsymError("attribution needs at least one component")
    names = tuple(f"a{k}" for k in range(1, count + 1))
    total = " + ".join(names)
    scale = f"sqrt(norm(c({total}))**2 + n*eps)"
    shares = " + ".join(f"sqrt(n)*dot(hadamard(g, w), c({a}))/{scale}" for a in names)
    return Statement(
        f"dot(w, LNA({total}, g, beta)) + b",
        f"{shares} + (dot(w, beta) + b)",
        ("w", "g", "beta", *names),
        ("b",),
        name=f"attribution over {count} component{'s' if count > 1 else ''}",
    )


def rms_attribution_identity(count: int) -> Statement:
    r"""⟨w, g⊙RMS(Σₖ aₖ) + β⟩ + b = Σₖ √n⟨g⊙w, aₖ⟩/√(‖Σⱼ aⱼ‖² + nε) + (⟨w, β⟩ + b).

    RMSNorm does not centre: each share reads its component as it is. Components ``a1 … a{count}``.
    """
    if count < 1:
        raise LnsymError("attribution needs at least one component")
    names = tuple(f"a{k}" for k in range(1, count + 1))
    total = " + ".join(names)
    scale = f"sqrt(norm({total})**2 + n*eps)"
    shares = " + ".join(f"sqrt(n)*dot(hadamard(g, w), {a})/{scale}" for a in names)
    return Statement(
        f"dot(w, hadamard(g, RMS({total})) + beta) + b",
        f"{shares} + (dot(w, beta) + b)",
        ("w", "g", "beta", *names),
        ("b",),
        name=f"RMSNorm attribution over {count} component{'s' if count > 1 else ''}",
    )


@functools.cache
def check(identity: Statement) -> Proof:
    """The prover's verdict on ``identity`` (cached per statement)."""
    return identity.prove()


def require(identity: Statement) -> Proof:
    """:func:`check`, raising :class:`IdentityNotProvedError` unless the verdict is the expected one
    (and a refutation carries a witness)."""
    proof = check(identity)
    if not identity.check(proof):
        raise IdentityNotProvedError(
            f"lnsym expected {identity.name!r} ({identity}) to be "
            f"{identity.expect.value} but the prover says {proof.status.value}; "
            "the computation that relies on it was not done"
        )
    return proof
