"""kpireport: KPI progress reporting for Japanese municipal plans (総合計画・総合戦略)."""

__version__ = "0.1.0"
