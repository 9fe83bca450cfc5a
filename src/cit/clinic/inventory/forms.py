from __future__ import annotations

from django import forms

from cit.clinic.bounds import BoundedDates
from cit.clinic.inventory.models import Product


class ProductForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Product
        fields = ["kind", "name", "manufacturer", "intradermal_use", "low_stock_threshold"]


class ReceiveLotForm(BoundedDates, forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none())
    lot_number = forms.CharField(max_length=60)
    expires_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    quantity = forms.IntegerField(min_value=1, max_value=100_000)

    def __init__(self, *args: object, clinic_id: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Product.objects.active().filter(clinic_id=clinic_id)
