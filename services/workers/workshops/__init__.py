"""Employment workshops (扶贫车间 and the like): their registered labourers and the workshop subsidy condition."""
