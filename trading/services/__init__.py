"""Trading's write services, one module per action family: projects (registration,
announcements, questions), bids, openings, committee (evaluation), awards (candidates,
award, contract, filing). Views, the API, tasks and commands all call these."""
