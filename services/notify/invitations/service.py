"""Accepting a job fair's invitations: one message per labourer and fair, however often the event arrives."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.compose import SIGNATURE
from services.notify.invitations.compose import Fair, compose_sms, compose_wechat
from services.notify.messages import service as messages
from services.notify.messages.models import Message, MessageStatus
from services.notify.policy.schedule import QuietHours
from services.notify.settings import NotifySettings
from services.notify.vendors.base import FAIR_INVITATION
from shared.clock import LOCAL_ZONE, Clock, local_today
from shared.contracts.jobs import FairInvitation
from shared.events.envelope import Envelope


def idempotency_key(worker_id: str, fair_id: str) -> str:
    """One key per worker and fair, distinct from every offers key (32 characters, as the providers take)."""
    return uuid.uuid5(messages.KEY_NAMESPACE, f"{worker_id}:fair:{fair_id}").hex


async def accept(*, session: AsyncSession, event: Envelope, settings: NotifySettings, clock: Clock) -> list[Message]:
    """Queue an invitation for each worker of the event not invited to this fair before; return the new ones."""
    invitation = FairInvitation.model_validate(event.data)
    fair_id = invitation.fair_id
    fair = Fair.from_invitation(invitation)
    workers = list(dict.fromkeys(invitation.worker_ids))
    keys = {idempotency_key(w, fair_id): w for w in workers}
    known = set(await session.scalars(select(Message.idempotency_key).where(Message.idempotency_key.in_(keys))))
    region = invitation.invited_within or invitation.region_code
    now = clock.now()
    quiet = QuietHours(settings.quiet_start, settings.quiet_end)
    signature = f"【{settings.sms_sign_name}】" if settings.sms_sign_name else SIGNATURE
    contact = settings.contact_for(region)
    made = []
    for key, worker_id in keys.items():
        if key in known:
            continue
        message = Message(id=str(uuid.uuid4()), idempotency_key=key, kind=FAIR_INVITATION, worker_id=worker_id,
                          region_code=region, set_id=fair_id, set_version=event.version, run_id=None,
                          status=MessageStatus.queued, attempts=0, text="", sms={}, wechat={}, excluded_channels=[],
                          version=1, created_at=now, updated_at=now)
        session.add(message)
        made.append(message)
        if fair.held_on < local_today(clock):
            await messages.end(session=session, message=message, status=MessageStatus.not_sent, clock=clock,
                               reason="招聘会已经结束，不再邀请")
            continue
        try:
            text, params, segments = compose_sms(fair, contact=contact, signature=signature)
        except ValueError as exc:  # e.g. a station contact too long: no retry would help
            await messages.end(session=session, message=message, status=MessageStatus.not_sent, clock=clock,
                               reason=f"无法生成消息：{exc}")
            continue
        message.text = text
        message.sms = {"text": text, "params": params, "segments": segments}
        message.wechat = compose_wechat(fair, contact=contact)
        message.next_attempt_at = quiet.next_allowed(now)
        if message.next_attempt_at > now:
            local = message.next_attempt_at.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")
            message.reason = f"夜间免打扰，{local}发送"
        await session.flush()
        messages.wake_if_due(session=session, message=message, now=now)
    return made
