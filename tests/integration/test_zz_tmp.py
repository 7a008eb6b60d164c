import time, collections
from tests.integration.test_canary import canary, _forget_previous_token  # noqa
from tests.integration.canary_support import concrete_urls, SKIP_ALWAYS, snapshot
def test_dbg(app, client, accounts, canary):
    planted, routes, views = canary
    n = collections.Counter()
    for t in routes:
        if "GET" not in t.methods or t.endpoint in SKIP_ALWAYS: continue
        view = views.get(t.endpoint.split(".")[0])
        n[t.rule] = len(list(concrete_urls(t, view, planted)))
    print("RESULT total", sum(n.values()), n.most_common(12))
    accounts.login(client, "canary_alice")
    t0 = time.time()
    for i in range(20): client.get("/leads/list/")
    print("RESULT list", (time.time()-t0)/20)
    t0 = time.time()
    for i in range(20): client.get("/sources/list/")
    print("RESULT denied", (time.time()-t0)/20)
    t0 = time.time()
    for i in range(20): snapshot(planted)
    print("RESULT snapshot", (time.time()-t0)/20)
