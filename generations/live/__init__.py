"""Live events: the contract's JSON on one channel per version (events), who may read a
channel (access), how events cross from workers to web processes (relay), and the streams
that carry them to browsers (streams). It imports nothing of the app but its models."""
