"""Contact Us: the taxonomy behind the cascading dropdowns, and the support options."""
