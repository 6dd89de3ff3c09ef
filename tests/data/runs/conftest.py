"""The stored runs are data: pytest would collect their test_output.txt files as doctests."""

collect_ignore_glob = ["*"]
