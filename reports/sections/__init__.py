"""The core report sections (cover, contents, summary, exceptions, scorecards, signposts, actions,
appendix), registered into pmf.registry.REPORT_SECTIONS by `register()` (reports' AppConfig.ready())."""


def register() -> None:
    """Register the core sections; idempotent (ready() may run more than once)."""
    from reports.sections import core

    core.register()
