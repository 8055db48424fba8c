"""The figures of the 工作台, from the API's report: pure arithmetic, and the masked names of a to-do list."""

from __future__ import annotations

from services.console.api import Api


def totals(total: dict, short_of_three: int) -> dict[str, int]:
    """Registered, seeking, placed and short of three for one area (seeking: registered and not placed)."""
    return {"registered": total["registered"], "seeking": total["registered"] - total["placed"],
            "placed": total["placed"], "transfer_intention": total["transfer_intention"],
            "short_of_three": short_of_three}


async def masked_names(api: Api, worker_ids: list[str]) -> dict[str, dict]:
    """Worker id → its masked profile (name 张*英, masked numbers), read from the list route, which is never clear."""
    if not worker_ids:
        return {}
    page = await api.get("/workers/profiles", ids=",".join(worker_ids[:200]), page_size=200)
    return {item["id"]: item for item in page["items"]}
