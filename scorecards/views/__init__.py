"""The pages of the scorecards module, by family: snapshots, scorecards, editions and the public pages."""
