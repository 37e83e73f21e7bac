"""What the window's editing asks of the core, in plain Python (no Qt), tested without
a window: the claimant choices of a claim, the Labels dialog's changes, how stored text
is shown safely (bidi controls and invisible characters as marks), and the token
boundaries a span snaps to."""
