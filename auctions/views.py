"""Web pages of auctions (mounted at /auctions/): the public listing pages, registration and
deposit status, the live auction page (polled every second on the server clock), the result
(成交确认书); for the centre's staff: create and announce listings, confirm deposits, record
an agreement, handle a fault. Views parse and render; the rules are the services'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from auctions import policies, selectors
from auctions.forms import (
    AgreementForm,
    BidForm,
    DecryptForm,
    DepositForm,
    ListingForm,
    QualificationForm,
    ReasonForm,
    TenderBidForm,
)
from auctions.models import Listing, Registration
from auctions.services import listings, qualification, registrations, tender
from auctions.services.bidding import place_bid
from portal.errors import ApplicationError

# --- The public and bidders -------------------------------------------------------------


def listing_list(request):
    category = request.GET.get("category", "")
    items = selectors.public_listings()
    if category in {"land", "mining", "equity"}:
        items = items.filter(category__code=category)
    return render(
        request,
        "auctions/listing_list.html",
        {"listings": items[:100], "category": category},
    )


def listing_detail(request, listing_id: int):
    listing = selectors.listing_for_reader(request.user, listing_id)
    return render(
        request,
        "auctions/listing_detail.html",
        {
            "listing": listing,
            "announcements": selectors.announcements(listing),
            "registration": selectors.own_registration(request.user, listing),
            "is_bidder": policies.is_bidder(request.user),
            "is_staff": policies.is_centre_staff_of(request.user, listing),
            "reserve_price": selectors.reserve_visible(listing),
        },
    )


@login_required
@require_POST
def register(request, listing_id: int):
    listing = selectors.listing_for_reader(request.user, listing_id)
    try:
        registration = registrations.register(
            actor=request.user,
            listing=listing,
            qualifications=request.POST.get("qualifications", "")[:4000],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Registered with bidder number %(number)s. Pay the deposit of %(amount)s yuan.")
            % {"number": registration.number, "amount": listing.deposit_amount},
        )
    return redirect("auctions:listing", listing_id=listing_id)


def _live_context(request, listing_id: int, **extra) -> dict:
    panel = selectors.live_panel(request.user, listing_id)
    state = panel.state
    return {
        "panel": panel,
        "state": state,
        "can_bid": state.own_standing not in {"observer", "not_registered"}
        and state.deposit_state == Registration.DepositState.CONFIRMED
        and state.state in {Listing.State.LISTING, Listing.State.LIVE},
        "history": panel.history,
        **extra,
    }


def live(request, listing_id: int):
    listing = selectors.listing_for_reader(request.user, listing_id)
    return render(
        request, "auctions/live.html", {"listing": listing, **_live_context(request, listing.pk)}
    )


def live_state(request, listing_id: int):
    """The live panel (an htmx fragment polled every second): the countdown is the server's.
    Read from the listing's snapshot, like the API's state (selectors.live_panel)."""
    return render(request, "auctions/_live_state.html", _live_context(request, listing_id))


@login_required
@require_POST
def bid(request, listing_id: int):
    form = BidForm(request.POST)
    error = None
    accepted = None
    if form.is_valid():
        try:
            accepted = place_bid(
                actor=request.user, listing=listing_id, amount=form.cleaned_data["amount"]
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _("Give your bid in yuan, to the fen.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("auctions:live", listing_id=listing_id)
    return render(
        request,
        "auctions/_live_state.html",
        _live_context(request, listing_id, error=error, accepted=accepted),
    )


def _tender_listing(request, listing_id: int) -> Listing:
    listing = selectors.listing_for_reader(request.user, listing_id)
    if listing.method.code != "tender":
        raise Http404
    return listing


def tender_page(request, listing_id: int, **extra):
    """The tender (招标): a bidder's sealed bid and receipt, its decryption at the opening; for
    everyone once the bids are opened, the opening record (names and prices once closed)."""
    listing = _tender_listing(request, listing_id)
    registration = selectors.own_registration(request.user, listing)
    opened = listing.state not in {Listing.State.ANNOUNCED, Listing.State.TENDER}
    return render(
        request,
        "auctions/tender.html",
        {
            "listing": listing,
            "registration": registration,
            "own_bid": tender.own_tender_bid(request.user, listing),
            "bid_form": extra.pop("bid_form", None) or TenderBidForm(),
            "decrypt_form": DecryptForm(),
            "record": tender.opening_record(listing) if opened else None,
            "closed": listing.has_result,
            "is_staff": policies.is_centre_staff_of(request.user, listing),
            "reserve_price": selectors.reserve_visible(listing),
            **extra,
        },
    )


@login_required
@require_POST
def tender_bid(request, listing_id: int):
    """Submit the sealed bid; the receipt, with its salt, is shown once on the answer page
    (never stored or put in a message)."""
    listing = _tender_listing(request, listing_id)
    form = TenderBidForm(request.POST)
    if form.is_valid():
        try:
            _bid, receipt = tender.submit_tender_bid(
                actor=request.user,
                listing=listing,
                price=form.cleaned_data["price"],
                passphrase=form.cleaned_data["passphrase"],
            )
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your sealed bid is in the bid box."))
            return tender_page(request, listing_id, receipt=receipt)
    return tender_page(request, listing_id, bid_form=form)


@login_required
@require_POST
def tender_decrypt(request, listing_id: int):
    listing = _tender_listing(request, listing_id)
    form = DecryptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give your passphrase."))
    else:
        try:
            outcome = tender.decrypt_tender_bid(
                actor=request.user, listing=listing, passphrase=form.cleaned_data["passphrase"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if outcome.ok:
                messages.success(request, _("Your bid is decrypted."))
            else:
                messages.error(
                    request,
                    _("Not decrypted (%(cause)s): %(message)s")
                    % {"cause": outcome.cause, "message": outcome.message},
                )
    return redirect("auctions:tender", listing_id=listing_id)


def result(request, listing_id: int):
    """The transaction confirmation (成交确认书) once sold."""
    listing = selectors.listing_for_reader(request.user, listing_id)
    if listing.state != Listing.State.SOLD:
        raise Http404
    return render(
        request,
        "auctions/result.html",
        {"listing": listing, "reserve_price": selectors.reserve_visible(listing)},
    )


# --- The centre's staff -----------------------------------------------------------------


def _require_staff_user(user):
    if not (user.is_authenticated and user.role == "centre_staff" and user.centre_id):
        raise PermissionDenied(_("This page is for the staff of a trading centre."))


def _staff_listing(request, listing_id: int) -> Listing:
    listing = get_object_or_404(
        Listing.objects.select_related("category", "method", "centre", "region"), pk=listing_id
    )
    if not policies.is_centre_staff_of(request.user, listing):
        raise PermissionDenied(_("Only the staff of this centre may do this."))
    return listing


@login_required
def manage_list(request):
    _require_staff_user(request.user)
    return render(
        request,
        "auctions/manage_list.html",
        {"listings": selectors.centre_listings(request.user.centre)},
    )


@login_required
def create(request):
    _require_staff_user(request.user)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            listing = listings.create_listing(
                actor=request.user,
                centre=request.user.centre,
                region=request.user.centre.region,
                category_code=values.pop("category"),
                method_code=values.pop("method"),
                **values,
            )
        except ApplicationError as exc:
            for field, errors in exc.fields.items():
                target = field if field in form.fields else None
                for message in errors:
                    form.add_error(target, message)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("The listing is created as a draft."))
            return redirect("auctions:manage", listing_id=listing.pk)
    return render(request, "auctions/listing_form.html", {"form": form})


@login_required
def manage(request, listing_id: int):
    listing = _staff_listing(request, listing_id)
    rows = list(listing.registrations.select_related("entity").order_by("number"))
    for row in rows:  # one decision form per buyer, with ids of its own
        row.qualification_form = QualificationForm(auto_id=f"q{row.pk}_%s")
    return render(
        request,
        "auctions/manage.html",
        {
            "listing": listing,
            "registrations": rows,
            "deposit_form": DepositForm(initial={"amount": listing.deposit_amount}),
            "agreement_form": AgreementForm(initial={"price": listing.starting_price}),
            "reason_form": ReasonForm(),
        },
    )


def _staff_action(request, listing_id: int, action, success: str):
    listing = _staff_listing(request, listing_id)
    try:
        action(listing)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        for violation in exc.fields.get("violations", []):
            messages.error(request, f"{violation['message']}（{violation['source']}）")
    else:
        messages.success(request, success)
    return redirect("auctions:manage", listing_id=listing_id)


@login_required
@require_POST
def announce(request, listing_id: int):
    return _staff_action(
        request,
        listing_id,
        lambda listing: listings.announce_listing(actor=request.user, listing=listing),
        _("The announcement is published."),
    )


@login_required
@require_POST
def pre_disclose(request, listing_id: int):
    return _staff_action(
        request,
        listing_id,
        lambda listing: listings.publish_pre_disclosure(actor=request.user, listing=listing),
        _("The pre-disclosure is published."),
    )


@login_required
@require_POST
def confirm_deposit(request, registration_id: int):
    registration = get_object_or_404(Registration, pk=registration_id)
    form = DepositForm(request.POST)

    def action(listing):
        if not form.is_valid():
            raise ApplicationError(_("Give the amount and the bank reference."))
        registrations.confirm_deposit(
            actor=request.user, registration=registration, **form.cleaned_data
        )

    return _staff_action(
        request, registration.listing_id, action, _("The deposit is recorded as received.")
    )


@login_required
@require_POST
def agreement(request, listing_id: int):
    form = AgreementForm(request.POST)

    def action(listing):
        if not form.is_valid():
            raise ApplicationError(_("Give the agreed price in yuan."))
        listings.record_agreement(
            actor=request.user, listing=listing, price=form.cleaned_data["price"]
        )

    return _staff_action(request, listing_id, action, _("The agreement transfer is recorded."))


@login_required
@require_POST
def session(request, listing_id: int, action: str):
    reason = request.POST.get("reason", "")
    services = {
        "suspend": lambda listing: listings.suspend_session(
            actor=request.user, listing=listing, reason=reason
        ),
        "resume": lambda listing: listings.resume_session(actor=request.user, listing=listing),
        "void": lambda listing: listings.void_session(
            actor=request.user, listing=listing, reason=reason
        ),
    }
    if action not in services:
        raise Http404
    return _staff_action(request, listing_id, services[action], _("Done."))


@login_required
@require_POST
def open_bids(request, listing_id: int):
    return _staff_action(
        request,
        listing_id,
        lambda listing: tender.open_bids(actor=request.user, listing=listing),
        _("The bids are opened."),
    )


@login_required
@require_POST
def close_opening(request, listing_id: int):
    return _staff_action(
        request,
        listing_id,
        lambda listing: tender.close_tender_opening(actor=request.user, listing=listing),
        _("The opening is closed."),
    )


@login_required
@require_POST
def review_qualification(request, registration_id: int):
    """The staff's decision on one intended buyer's qualifications (equity)."""
    registration = get_object_or_404(Registration, pk=registration_id)
    form = QualificationForm(request.POST)

    def action(listing):
        if not form.is_valid():
            raise ApplicationError(_("Choose qualified or not qualified."))
        qualification.review_qualification(
            actor=request.user,
            registration=registration,
            qualified=form.cleaned_data["decision"] == "qualified",
            reason=form.cleaned_data["reason"],
        )

    return _staff_action(
        request,
        registration.listing_id,
        action,
        _("The decision on bidder %(number)s is recorded.") % {"number": registration.number},
    )


@login_required
@require_POST
def close_review(request, listing_id: int):
    return _staff_action(
        request,
        listing_id,
        lambda listing: qualification.close_review(actor=request.user, listing=listing),
        _("The qualification review is closed."),
    )
