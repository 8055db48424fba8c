"""Training courses: the catalogue, who may take a seat, enrolment, completion and the certificate gained."""
