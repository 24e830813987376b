"""Schemathesis hooks for leadstream's contract check (scripts/contract).

A valid `Idempotency-Key` is made unique per generated request. The server refuses a key used
before for another request (422 IDEMPOTENCY_KEY_REUSED, as the IETF draft on the header asks),
which is state, not schema: a generator that reuses short keys across bodies would report that
as "schema-valid request rejected". Invalid keys are left as generated, so their refusal is
still checked. Reuse itself is covered by tests/idempotency.rs.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[!-~]([\t -~]{0,253}[!-~])?$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and VALID_KEY.match(headers[name]):
            headers[name] = f"contract-{uuid.uuid4()}"
    return None
