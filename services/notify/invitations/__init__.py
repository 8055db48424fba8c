"""Job fairs' invitations: one message per labourer and fair, sent like offers (consent, opt-outs, quiet hours,
the per-number limits), with a template of its own."""
