"""Certificate codes: 13 symbols of Crockford's base32 (65 random bits), typed back forgivingly."""
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread
LENGTH = 13  # 13 × 5 = 65 bits from the system's CSPRNG
MAX_TYPED = 64  # anything longer is not a code: refuse before any work
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh random code; uniqueness is the database's unique constraint."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(typed: str | None) -> str | None:
    """A code as typed or scanned ('abcd-efgh-…', spaces, O for 0) → its canonical form; None if it is not one."""
    if not typed or len(typed) > MAX_TYPED:
        return None
    code = "".join(ch for ch in typed.upper() if ch not in " -.\t").translate(_LOOK_ALIKES)
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMNP: easier to read aloud and to type."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"
