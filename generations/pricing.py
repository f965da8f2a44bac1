"""What model calls cost, at the prices in MODEL_PRICES."""

from django.conf import settings


def cost_of(model: str, tokens_in: int, tokens_out: int) -> float | None:
    """Dollars for these tokens at MODEL_PRICES, or None when the model has no price."""
    price = settings.MODEL_PRICES.get(model)
    if price is None:
        return None
    return (tokens_in * price[0] + tokens_out * price[1]) / 1_000_000
