from pmf.models import User


def test_in_on_an_integer_column_leaves_out_values_the_column_cannot_hold(world):
    huge = 10**30
    assert list(User.objects.filter(pk__in=[huge])) == []
    assert list(User.objects.filter(pk__in=[huge, world.viewer.pk, -huge])) == [world.viewer]
    assert User.objects.filter(pk__in=[huge]).count() == 0
