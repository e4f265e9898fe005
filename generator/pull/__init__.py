"""`cardgen pull`: fetch providers' model documents into catalog/sources/<provider>/."""
