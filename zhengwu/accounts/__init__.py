"""accounts: users, roles scoped to departments and regions, sign-in (password, TOTP)."""
