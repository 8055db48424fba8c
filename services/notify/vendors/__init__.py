"""SMS and WeChat providers behind one small protocol (base.py): Aliyun, Tencent Cloud, WeChat and a recorder."""
