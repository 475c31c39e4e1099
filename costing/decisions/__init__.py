"""Decision support on top of the costing engine: pure, like the engine (no Django).

One module per topic, each a function of an ``engine.CostModel`` or an
``engine.Comparison`` and returning frozen dataclasses of ``Decimal`` figures:

- ``sensitivity``: one-way sensitivity (a tornado chart's bars);
- ``uncertainty``: seeded Monte Carlo over triangular ranges (needs numpy);
- ``payback``: one-off set-up costs and how long the saving takes to repay them;
- ``estimator``: cohort sizes from list size and register prevalence;
- ``capacity``: staff time freed, as hours, whole-time equivalents and appointments.

The submodules are not imported here, so that using one does not load numpy.
"""
