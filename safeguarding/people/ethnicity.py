"""Ethnicity as recorded for the Children in Need census (DfE codes), with the ONS Census 2021 high-level
group each maps to. Dashboards break outcomes down by the ONS group so that local figures can be compared
with the population baseline (DOMAIN.md, section 6 of the seed)."""

from django.db import models


class OnsEthnicGroup(models.TextChoices):
    ASIAN = "asian", "Asian, Asian British or Asian Welsh"
    BLACK = "black", "Black, Black British, Black Welsh, Caribbean or African"
    MIXED = "mixed", "Mixed or Multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known"


class CinEthnicity(models.TextChoices):
    WBRI = "WBRI", "White - British"
    WIRI = "WIRI", "White - Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    WOTH = "WOTH", "Any other White background"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other Mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black - African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


# ONS 2021 places Chinese in the Asian group and Arab (no CIN code of its own; recorded as OOTH) in Other.
ONS_2021_GROUP_BY_CIN_CODE: dict[str, OnsEthnicGroup] = {
    CinEthnicity.WBRI: OnsEthnicGroup.WHITE,
    CinEthnicity.WIRI: OnsEthnicGroup.WHITE,
    CinEthnicity.WIRT: OnsEthnicGroup.WHITE,
    CinEthnicity.WROM: OnsEthnicGroup.WHITE,
    CinEthnicity.WOTH: OnsEthnicGroup.WHITE,
    CinEthnicity.MWBC: OnsEthnicGroup.MIXED,
    CinEthnicity.MWBA: OnsEthnicGroup.MIXED,
    CinEthnicity.MWAS: OnsEthnicGroup.MIXED,
    CinEthnicity.MOTH: OnsEthnicGroup.MIXED,
    CinEthnicity.AIND: OnsEthnicGroup.ASIAN,
    CinEthnicity.APKN: OnsEthnicGroup.ASIAN,
    CinEthnicity.ABAN: OnsEthnicGroup.ASIAN,
    CinEthnicity.AOTH: OnsEthnicGroup.ASIAN,
    CinEthnicity.CHNE: OnsEthnicGroup.ASIAN,
    CinEthnicity.BCRB: OnsEthnicGroup.BLACK,
    CinEthnicity.BAFR: OnsEthnicGroup.BLACK,
    CinEthnicity.BOTH: OnsEthnicGroup.BLACK,
    CinEthnicity.OOTH: OnsEthnicGroup.OTHER,
    CinEthnicity.REFU: OnsEthnicGroup.NOT_KNOWN,
    CinEthnicity.NOBT: OnsEthnicGroup.NOT_KNOWN,
}


def ons_group_for(cin_code: str) -> OnsEthnicGroup:
    return ONS_2021_GROUP_BY_CIN_CODE[cin_code]
