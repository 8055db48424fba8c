"""A worker's contact channels for the notify service, fetched at send time with a service token."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.workers.audit import service as audit
from services.workers.profiles.models import WorkerProfile
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import NotFound
from shared.pii import PiiKeys, open_sealed


async def channels(*, session: AsyncSession, worker_id: str, by: Principal, keys: PiiKeys, clock: Clock) -> dict:
    """Phone, openid and consents, and an audit row saying which service read them."""
    profile = await session.get(WorkerProfile, worker_id)
    if profile is None:
        raise NotFound("worker profile not found", zh="没有找到这位劳动力")
    openid = (open_sealed(profile.wechat_openid_sealed, keys=keys, purpose="wechat_openid")
              if profile.wechat_openid_sealed else None)
    fields = ["phone"] + (["wechat_openid"] if openid else [])
    await audit.record(session=session, by=by, worker_id=worker_id, fields=fields, action="contact for a message",
                       clock=clock)
    return {"worker_id": profile.id, "name": profile.name,
            "phone": open_sealed(profile.phone_sealed, keys=keys, purpose="phone"), "wechat_openid": openid,
            "consent": {"sms": profile.consent_sms, "wechat": profile.consent_wechat,
                        "share_with_partners": profile.consent_share},
            "status": profile.status}
