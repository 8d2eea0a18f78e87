"""The test suite. Importing it, before any test module or factory, switches this process to
argon2id's cheapest parameters (``passwords.use_cheapest_parameters_for_tests``), so the
factories' stored hash and every sign-in use the same ones (a hash made with other parameters
would be rehashed at sign-in, changing the password hash that links are tied to);
``tests/accounts/test_password_hashing.py`` checks the application's own parameters."""

from volunteer_hub.accounts import passwords

passwords.use_cheapest_parameters_for_tests()
