"""The risk page's score history as a Plotly figure (a plain dict, embedded with json_script). The
table of reviews beside it carries the same figures for those who cannot see the chart."""

from risks.models import RiskReview


def score_history_figure(
    reviews: list[RiskReview], *, target_score: int, appetite: int | None, highest_score: int
) -> dict:
    """A step chart of the current score at each review (REVIEWS oldest first): the score holds
    until the next review changes it. Target score and appetite are drawn as reference lines."""
    dates = [review.reviewed_on.isoformat() for review in reviews]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Current score",
            "x": dates,
            "y": [review.score for review in reviews],
            "text": [
                f"{review.band_name}, likelihood {review.likelihood} × impact {review.impact}" for review in reviews
            ],
            "hovertemplate": "%{x|%d %b %Y}: %{y} (%{text})<extra></extra>",
            "line": {"shape": "hv", "color": "#1d4f91", "width": 3},
            "marker": {"size": 8},
        }
    ]
    if dates:
        span = [dates[0], dates[-1]] if len(dates) > 1 else [dates[0], dates[0]]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"Target score ({target_score})",
                "x": span,
                "y": [target_score, target_score],
                "line": {"color": "#1e6b34", "dash": "dash", "width": 2},
                "hoverinfo": "skip",
            }
        )
        if appetite is not None:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": f"Appetite ({appetite})",
                    "x": span,
                    "y": [appetite, appetite],
                    "line": {"color": "#b3261e", "dash": "dot", "width": 2},
                    "hoverinfo": "skip",
                }
            )
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 50, "r": 10, "t": 10, "b": 50},
            "legend": {"orientation": "h", "y": -0.2},
            "yaxis": {"title": {"text": "Score (likelihood × impact)"}, "range": [0, highest_score + 1]},
            "xaxis": {"type": "date"},
            "height": 320,
        },
        # No mode bar: its buttons inside the labelled chart would be controls nested in an image.
        "config": {"displaylogo": False, "displayModeBar": False, "responsive": True},
    }
