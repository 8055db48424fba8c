"""Opt-outs honoured for good: 回T/TD replies, Tencent's blacklist, WeChat refusals and blocks."""
