-- wrk: the view beacon as browsers send it (navigator.sendBeacon: a POST with an empty body).
wrk.method = "POST"
wrk.body = ""
wrk.headers["Content-Type"] = "text/plain;charset=UTF-8"
