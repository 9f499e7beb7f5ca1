"""One question → one answer: the pipeline and the parts it is made of."""
