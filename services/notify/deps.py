"""Dependencies of the notify routes, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.notify.callbacks import provider_caller, wechat_caller
from services.notify.settings import NotifySettings
from shared.auth import Principal, Role, require
from shared.clock import Clock
from shared.deps import clock_of, session_of, settings_of

SessionDep = Annotated[AsyncSession, Depends(session_of("notify"), scope="function")]
ClockDep = Annotated[Clock, Depends(clock_of("notify"))]
SettingsDep = Annotated[NotifySettings, Depends(settings_of("notify"))]
StaffOrAdmin = Annotated[Principal, Depends(require(Role.station_staff, Role.admin))]
# A provider's callback: the callback token in the query (401 without it), and WeChat's signature for WeChat.
ProviderCaller = Annotated[None, Depends(provider_caller)]
WechatCaller = Annotated[None, Depends(wechat_caller)]
