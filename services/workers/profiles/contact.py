"""A worker's contact channels for the notify service, fetched at send time with a service token."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.audit import service as audit
from services.workers.profiles.models import WorkerProfile
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import NotFound
from shared.pii import PiiKeys, open_sealed


async def channels(*, session: AsyncSession, worker_id: str, by: Principal, keys: PiiKeys, clock: Clock) -> dict:
    """Phone, openid and consents, and an audit row saying which service read them."""
    found = await channels_of(session=session, worker_ids=[worker_id], by=by, keys=keys, clock=clock)
    if not found:
        raise NotFound("worker profile not found", zh="没有找到这位劳动力")
    return found[0]


async def channels_of(*, session: AsyncSession, worker_ids: Sequence[str], by: Principal, keys: PiiKeys,
                      clock: Clock) -> list[dict]:
    """The channels of each of these workers that has a profile (in the order asked; unknown ids left out), read in
    one query, with their audit rows written in one statement."""
    profiles = {p.id: p for p in await session.scalars(select(WorkerProfile).where(WorkerProfile.id.in_(
        sorted(set(worker_ids)))))}
    out, reads = [], []
    for worker_id in dict.fromkeys(worker_ids):
        if (profile := profiles.get(worker_id)) is None:
            continue
        openid = (open_sealed(profile.wechat_openid_sealed, keys=keys, purpose="wechat_openid")
                  if profile.wechat_openid_sealed else None)
        reads.append(audit.read_row(by=by, worker_id=worker_id, fields=["phone"] + (["wechat_openid"] if openid else []),
                                    action="contact for a message", clock=clock))
        out.append({"worker_id": profile.id, "name": profile.name,
                    "phone": open_sealed(profile.phone_sealed, keys=keys, purpose="phone"), "wechat_openid": openid,
                    "consent": {"sms": profile.consent_sms, "wechat": profile.consent_wechat,
                                "share_with_partners": profile.consent_share},
                    "status": profile.status})
    await audit.record_all(session=session, reads=reads)
    return out
