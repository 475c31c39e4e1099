"""A cost model at every one of the app's limits (costing/limits.py), as the engine's dataclasses.

The largest model a practice can put into the app: the most roles, pathways,
stages, groups and cohorts, every name and description as long as allowed. The
pages and reports must serve it (tests/integration/test_limits.py); the
measurements of issue 19 can start from it too.
"""

from decimal import Decimal

from costing import engine, limits


def _name(prefix: str, n: int) -> str:
    return f"{prefix} {n} ".ljust(limits.MAX_NAME_LENGTH, "x")


def model_at_limits() -> engine.CostModel:
    steps = list(engine.Step)
    roles = tuple(
        engine.Role(
            key=f"r{n}", name=_name("Role", n), band="b" * limits.MAX_BAND_LENGTH, cost_per_hour=Decimal(20 + n)
        )
        for n in range(limits.MAX_ROLES)
    )
    pathways = tuple(
        engine.Pathway(
            key=f"p{p}",
            name=_name("Pathway", p),
            stages=tuple(
                engine.Stage(
                    name=_name("Stage", s),
                    step=steps[s % len(steps)],
                    role=roles[(p + s) % len(roles)].key,
                    minutes=Decimal(5 + s),
                    extra_cost=Decimal("0.85") if s == 0 else Decimal(0),
                    visit=1 + s % limits.MAX_VISIT_NUMBER,
                )
                for s in range(limits.MAX_STAGES_PER_PATHWAY)
            ),
        )
        for p in range(limits.MAX_PATHWAYS)
    )
    groups = tuple(engine.Group(key=f"g{n}", label=_name("Group", n), people=100 + n) for n in range(limits.MAX_GROUPS))

    def side(offset: int) -> tuple[engine.Cohort, ...]:
        return tuple(
            engine.Cohort(
                label=_name("Cohort", n),
                patients=10 + n,
                pathway=pathways[(n + offset) % len(pathways)].key,
                times=1 + n % limits.MAX_TIMES,
                exceptions=n % 3,
            )
            for n in range(limits.MAX_COHORTS_PER_SIDE)
        )

    return engine.CostModel(
        name=_name("Model", 0),
        period=engine.Period.YEAR,
        roles=roles,
        pathways=pathways,
        before=side(0),
        after=side(1),
        description="d" * limits.MAX_DESCRIPTION_LENGTH,
        groups=groups,
    )
