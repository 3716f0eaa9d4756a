"""The answer "too low" to a bid, given before DRF's machinery runs.

In a busy auction nearly every bid (94 % in the benchmark) is overtaken before it arrives,
and is refused from the live snapshot without a query on the listing
(`live.minimum_refusal`). For that answer DRF's request wrapping, content negotiation,
serializer, exception handler and renderer cost as much as the answer's own work (the token
query and one Redis read). Here the same request gets the same answer with the same checks,
in the order that costs least; anything else than a well-formed JSON bid of an active
bidder's token that the snapshot refuses as too low returns None, and the full path
(`BidsApi`) answers it as before, with DRF's own errors.

The same semantics as the full path:
- authentication: an `Authorization: Token <key>` header, the token looked up with its user
  on every request (`active_token_user`, the query `LiveTokenAuthentication` runs): a deleted
  token or a deactivated user is refused at once, by the full path (401);
- permission: only a bidder account of a market entity (`policies.is_bidder`), else 403;
- input: a JSON object whose `amount` is a string (`AuctionBidInput`: trimmed, at most 24
  characters), parsed by `parse_amount`;
- the answer: the 409 of `bidding.refusal_error` with the body the portal's exception handler
  gives it, rendered by DRF's JSONRenderer, the view's Allow and Vary headers, and not
  logged as a warning (as `BidsApi.finalize_response`).
"""

import json

from django.http import HttpResponse
from django.utils import timezone
from rest_framework.authentication import get_authorization_header
from rest_framework.renderers import JSONRenderer

from auctions import live, policies
from auctions.api.authentication import active_token_user
from auctions.services.bidding import refusal_error
from auctions.services.registrations import parse_amount
from portal.errors import ApplicationError

#: Accept headers that DRF's negotiation answers with JSON (its first renderer).
_JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
#: A bid's body is a few dozen bytes; anything much larger is the full path's to judge.
_MAX_BODY = 1024
_renderer = JSONRenderer()


def _reject_constant(name: str):
    raise ValueError(name)  # NaN, Infinity: DRF's strict JSON parser refuses them


def too_low_answer(request, listing_id: int, *, headers: dict) -> HttpResponse | None:
    """The 409 "too low" for this bid from the live snapshot, or None (the full path
    answers). `headers`: the view's default response headers (Allow, Vary)."""
    meta = request.META
    if (
        not live.enabled()
        or meta.get("HTTP_ACCEPT", "") not in _JSON_ACCEPTS
        or request.content_type != "application/json"
    ):
        return None
    try:
        if int(meta.get("CONTENT_LENGTH") or 0) > _MAX_BODY:
            return None
        data = json.loads(request.body.decode("utf-8"), parse_constant=_reject_constant)
    except ValueError:  # a malformed length, body or encoding: DRF's parser says why
        return None
    amount = data.get("amount") if isinstance(data, dict) else None
    if not isinstance(amount, str):
        return None
    amount = amount.strip()
    if not amount or len(amount) > 24:
        return None
    try:
        amount = parse_amount(amount)
    except ApplicationError:
        return None
    # The snapshot before the token: of the two reads, it is the one that decides nothing
    # for an accepted bid (which then pays one Redis read more, not one query more).
    refusal = live.minimum_refusal(listing_id, amount, timezone.now())
    if refusal is None:
        return None
    auth = get_authorization_header(request).split()
    if len(auth) != 2 or auth[0].lower() != b"token":
        return None
    try:
        key = auth[1].decode()
    except UnicodeError:
        return None
    user = active_token_user(key)
    if user is None or not policies.is_bidder(user):
        return None
    request.user = user  # as DRF leaves it for the middleware after the view
    error = refusal_error(refusal)
    body = {"detail": error.message, "code": error.code, **error.fields}
    response = HttpResponse(
        _renderer.render(body), status=error.status_code, content_type="application/json"
    )
    for name, value in headers.items():
        response[name] = value
    # As the full path (BidsApi.finalize_response): a refusal is not a warning line.
    response._has_been_logged = True
    return response
