"""Reader pages of the newsletter: subscribe, confirm (double opt-in), unsubscribe (one click)."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kiji.comments.counters import counter_backend
from kiji.comments.services import hash_ip
from kiji.lib.clientip import client_ip
from kiji.newsletters import services
from kiji.newsletters.forms import SubscribeForm


def _too_fast(request) -> bool:
    """The comment form's per-address limits, counted apart from comments."""
    ip = hash_ip(client_ip(request.META))
    limits = {
        (f"newsletter:ip:{ip}", 60): settings.KIJI_COMMENTS_IP_RATE_PER_MINUTE,
        (f"newsletter:ip:{ip}", 86400): settings.KIJI_COMMENTS_IP_RATE_PER_DAY,
    }
    counts = counter_backend().incr_many(list(limits))
    return any(count > limit for count, limit in zip(counts, limits.values(), strict=True))


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if _too_fast(request):
            form.add_error(None, "送信が多すぎます。しばらく待ってから、もう一度お試しください。")
            return render(request, "newsletters/subscribe.html", {"form": form}, status=429)
        if form.is_valid():
            if not form.cleaned_data["website"]:  # a bot sees the same page and gets no mail
                services.subscribe(email=form.cleaned_data["email"])
            return render(request, "newsletters/check_mail.html", {"email": form.cleaned_data["email"]})
    return render(request, "newsletters/subscribe.html", {"form": form}, status=400 if form.errors else 200)


def confirm(request, token):
    subscriber = services.confirm(token=token)
    return render(request, "newsletters/confirmed.html", {"subscriber": subscriber}, status=200 if subscriber else 404)


@csrf_exempt  # RFC 8058: the mailbox provider POSTs List-Unsubscribe=One-Click without a form of ours
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    if request.method == "POST":
        subscriber = services.unsubscribe(token=token)
        status = 200 if subscriber else 404
        return render(request, "newsletters/unsubscribed.html", {"subscriber": subscriber}, status=status)
    # GET only asks: link scanners that follow every link must not unsubscribe anyone.
    return render(request, "newsletters/unsubscribe.html", {"token": token})
