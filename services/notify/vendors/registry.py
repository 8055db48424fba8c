"""The vendors by name: how the settings' choice of each is made, and whose pushes notify's callback routes read.

The one place outside a vendor's own module that names the vendors; the delivery pass and the callback routes take
what they need from here.
"""

from __future__ import annotations

from typing import Literal, get_args

import httpx

from services.notify.settings import NotifySettings
from services.notify.vendors.aliyun import AliyunSms
from services.notify.vendors.base import FAIR_INVITATION, SmsPushes, SmsVendor, WechatPushes, WechatVendor
from services.notify.vendors.recording import RecordingProvider
from services.notify.vendors.tencent import TencentSms
from services.notify.vendors.wechat import WechatTemplates
from shared.clock import Clock

# The SMS vendors that push receipts and replies to notify (each has its callback URLs, named after it).
SmsVendorName = Literal["aliyun", "tencent"]
SMS_PUSHES: dict[str, SmsPushes] = {AliyunSms.name: AliyunSms, TencentSms.name: TencentSms}
WECHAT_PUSHES: WechatPushes = WechatTemplates
assert set(get_args(SmsVendorName)) == set(SMS_PUSHES), "the callback URLs name every SMS vendor, and only those"


def open_sms(name: str, settings: NotifySettings, *, client: httpx.AsyncClient, clock: Clock,
             recorder: RecordingProvider) -> SmsVendor:
    """The SMS vendor `name` (one of NOTIFY_SMS_PROVIDERS) with the settings' account and templates."""
    if name == AliyunSms.name:
        return AliyunSms(access_key_id=settings.aliyun_access_key_id,
                         access_key_secret=settings.aliyun_access_key_secret, sign_name=settings.sms_sign_name,
                         template_code=settings.aliyun_template_code, client=client,
                         endpoint=settings.aliyun_endpoint, clock=clock, batch=settings.aliyun_batch,
                         templates={FAIR_INVITATION: settings.aliyun_invitation_template_code})
    if name == TencentSms.name:
        return TencentSms(secret_id=settings.tencent_secret_id, secret_key=settings.tencent_secret_key,
                          sdk_app_id=settings.tencent_sdk_app_id, sign_name=settings.sms_sign_name,
                          template_id=settings.tencent_template_id, client=client,
                          endpoint=settings.tencent_endpoint, region=settings.tencent_region, clock=clock,
                          templates={FAIR_INVITATION: settings.tencent_invitation_template_id})
    if name == RecordingProvider.name:
        return recorder
    raise ValueError(f"no SMS vendor is called {name!r}")


def open_wechat(settings: NotifySettings, *, client: httpx.AsyncClient, clock: Clock,
                recorder: RecordingProvider) -> WechatVendor | None:
    """The WeChat channel NOTIFY_WECHAT_PROVIDER selects, or None."""
    if settings.wechat_provider == WechatTemplates.name:
        return WechatTemplates(appid=settings.wechat_appid, secret=settings.wechat_secret,
                               template_id=settings.wechat_template_id, client=client,
                               base_url=settings.wechat_base_url, clock=clock,
                               templates={FAIR_INVITATION: settings.wechat_invitation_template_id})
    if settings.wechat_provider == RecordingProvider.name:
        return recorder
    return None
