"""The people known to the test provider (its own accounts, not the platform's)."""

# The people known to the provider: password, name, ID number, and whether the provider has
# verified that ID number (a real 统一身份认证 checks it against the population register).
OP_PASSWORD = "op-pass-2026"
OP_USERS = {
    # The demo pack's 张三, verified at the province.
    "zhangsan": {"name": "张三", "id_number": "43048119900101123X", "verified": True},
    # Someone the platform has never seen.
    "lixin": {"name": "李新", "id_number": "430481199505050021", "verified": True},
    # 李四 of the pack's illustrative identities (packs/leiyang/identities.csv): the browser
    # story signs up as 李四, verifies at L2, then signs in here and must land in that account.
    "lisi": {"name": "李四", "id_number": "430481198604221012", "verified": True},
    # Calls themself 张三 and claims 张三's number, which the province has not verified.
    "unverified": {"name": "张三", "id_number": "43048119900101123X", "verified": False},
    # Only a name, no number at all.
    "nameonly": {"name": "张三", "id_number": "", "verified": False},
    # A member of staff, who links this identity to their staff account themself.
    "staffer": {"name": "王督查", "id_number": "43048119850101001X", "verified": True},
}
