"""A minimal app used by tests/core/test_contract.py to show that an app plugs in through its
own folder, INSTALLED_APPS and one URL include, and nothing else."""
