"""The gas butler's ladder: a table of visit sequences and the tier each ends in."""

import pytest

from ranan.inspections.choices import Outcome, Tier
from ranan.inspections.selectors import tier_of

N, R, A, IN = Outcome.NOT_HOME, Outcome.REFUSED, Outcome.ADDRESS_NOT_FOUND, Outcome.INSPECTED


@pytest.mark.parametrize("sequence,shut,enforcement,expected", [
    ([], False, False, None),                      # not visited yet
    ([N], False, False, Tier.REVISIT),             # first not at home: revisit
    ([N, N], False, False, Tier.REVISIT),
    ([N, N, N], False, False, Tier.SHUT_OFF),      # third not at home: to be shut off
    ([N, N, N, N], False, False, Tier.SHUT_OFF),
    ([R], False, False, Tier.SHUT_OFF),            # any refusal: to be shut off
    ([N, R], False, False, Tier.SHUT_OFF),
    ([A], False, False, Tier.REVISIT),             # address not found: find it, revisit
    ([N, IN], False, False, None),                  # reached in the end
    ([N, N, N, IN], False, False, None),
    ([R, IN], False, False, None),
    ([N, N, N], True, False, Tier.SHUT),           # the valve was shut: done
    ([R], True, False, Tier.SHUT),
    ([IN], False, True, Tier.ENFORCEMENT),          # refused to fix a hazard
    ([N, N, N], True, True, Tier.ENFORCEMENT),
])
def test_the_ladder(sequence, shut, enforcement, expected):
    counts = {o: sequence.count(o) for o in (N, R, A, IN)}
    assert tier_of(not_home=counts[N], refused=counts[R], address_not_found=counts[A],
                   inspected=bool(counts[IN]), shut=shut, enforcement=enforcement) == expected
