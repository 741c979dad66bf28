from service.answering.answer_types import expected_type, lacks_type, typed_spans
from service.core.records import Sentence


def test_expected_type_of_common_question_forms():
    assert expected_type("How many Patriot missiles did France order?") == "number"
    assert expected_type("How much money did Japan pledge?") == "amount"
    assert expected_type("What will the project cost?") == "amount"
    assert expected_type("When will NSATU be fully operational?") == "date"
    assert expected_type("In what year was it founded?") == "date"
    assert expected_type("Where is the new command being set up?") == "place"
    assert expected_type("Who leads the ADSE?") == "person"
    assert expected_type("How often are updates processed?") == "frequency"
    assert expected_type("How long is the timeout?") == "duration"
    assert expected_type("What are the ADSE priority areas?") is None


def test_expected_type_of_which_x_and_name_of_x_questions():
    assert expected_type("Which company will build the satellites?") == "organisation"
    assert expected_type("near which Romanian city did the drone intrude") == "place"
    assert expected_type("What is the name of India's defence minister?") == "person"
    assert expected_type("What is the name of the project secretary?") == "person"
    assert expected_type("starting from which perl version is the trigger available") == "version"
    assert expected_type("tell me how many batteries Germany has given") == "number"
    assert expected_type("What is the maximum length of a template name?") == "number"
    assert expected_type("Which menu section is meant for radio software?") is None


def test_a_version_is_a_version_number_as_documents_write_one():
    s = _s("Starting from perl 5.12.3-2, a trigger is available; see version 3 and GPL-2+ in 2024.")
    assert [s.text[a:b] for a, b in typed_spans("version", s)] == ["5.12.3-2", "version 3", "GPL-2+"]
    company = _s("The satellites are built by Thales Alenia Space.", [(28, 47, "ORG")])
    assert [company.text[a:b] for a, b in typed_spans("organisation", company)] == ["Thales Alenia Space"]


def _s(text, entities=()):
    return Sentence("d", 100, 100 + len(text), text, tuple(entities))


def test_typed_spans_come_from_entities_and_patterns_leaving_out_what_the_question_names():
    s = _s("Mark Rutte met Lloyd Austin in Brussels.", [(0, 10, "PERSON"), (15, 27, "PERSON"), (31, 39, "GPE")])
    asked = "Who did Mark Rutte's team meet?"
    assert [s.text[a:b] for a, b in typed_spans("person", s, asked, primary=True)] == ["Lloyd Austin"]
    assert [s.text[a:b] for a, b in typed_spans("person", s, asked)] == ["Lloyd Austin", "Brussels"]  # any name
    money = _s("Allies pledged EUR 40 billion and 1,000 Patriot missiles in 2024.")
    assert [money.text[a:b] for a, b in typed_spans("amount", money)] == ["EUR 40 billion"]
    assert [money.text[a:b] for a, b in typed_spans("number", money)] == ["1,000"]  # not the money, not the year
    assert typed_spans("date", money) and not typed_spans("date", _s("No time is given here at all."))
    assert typed_spans("place", _s("Modules go in /usr/share/perl5 on every system."))
    assert typed_spans("frequency", _s("Updates are processed at least once a month by the maintainers."))


def test_a_footnote_mark_is_not_a_number():
    assert not typed_spans("number", _s("¹ For participating nations, please refer to the press release."))


def test_an_llm_sentence_may_not_state_an_amount_its_passages_lack():
    passages = ["Allies pledged EUR 40 billion in security assistance."]
    assert lacks_type("amount", "Japan pledged EUR 5 billion. [1]", passages) == "EUR 5 billion"
    assert lacks_type("amount", "Allies pledged EUR 40 billion. [1]", passages) is None
    assert lacks_type(None, "Anything at all. [1]", passages) is None


def test_who_is_answered_by_any_proper_name_since_the_tagger_confuses_their_labels():
    """SQuAD: "Who did the Dutch fight in the Dutch Revolt?" -> Spain (GPE); "Who led the expedition?" ->
    Jessé de Forest, tagged ORG by the small model. A sentence with no name at all still answers none."""
    spain = _s("The Dutch fought Spain in the Dutch Revolt.", [(4, 9, "NORP"), (17, 22, "GPE")])
    assert [spain.text[a:b] for a, b in typed_spans("person", spain, "Who did the Dutch fight in the Dutch Revolt?")] == ["Spain"]
    forest = _s("Jessé de Forest led the expedition.", [(0, 15, "ORG")])
    assert typed_spans("person", forest, "Who led the expedition?") == [(0, 15)]
    assert typed_spans("person", _s("The dukes led the expedition."), "Who led it?") == []


def test_a_year_before_1900_is_a_date_and_a_when_clause_does_not_ask_for_one():
    newcomen = _s("Thomas Newcomen built the atmospheric engine in 1712.", [(0, 15, "PERSON")])
    assert [newcomen.text[a:b] for a, b in typed_spans("date", newcomen)] == ["1712"]
    assert expected_type("When B cells and T cells begin to replicate, what do some of them become?") is None
    assert expected_type("When a pathogen is eaten by a phagocyte it is trapped in what vesicle?") is None
    assert expected_type("Where the package is split, who maintains it?") == "person"
    assert expected_type("When did the ministers meet, and what did they agree?") == "date"  # a question itself
    assert expected_type("When was the Duchy of Normandy founded?") == "date"


def test_counts_of_units_percentages_for_a_share_and_a_reason_question():
    """SQuAD: "How many paid holiday days ...?" -> "at least 4 weeks" (a DATE to the tagger); "What
    percentage ...?" -> "90%" (a PERCENT, not a count otherwise); "how long has ... been" -> "since 2001"."""
    weeks = _s("Workers get at least 4 weeks of holidays.", [(12, 29, "DATE")])
    assert typed_spans("number", weeks, "How many holiday days do workers get?") != []
    share = _s("Steam turbines make about 90% of the power.", [(20, 29, "PERCENT")])
    assert typed_spans("number", share, "What percentage of the power do steam turbines make?") != []
    assert typed_spans("number", share, "How many turbines are there?") == []  # a percentage counts nothing
    money = _s("It cost EUR 2 million and 2 million people saw it.")
    assert [money.text[a:b] for a, b in typed_spans("number", money, "How many people saw it?")] == ["2 million"]
    since = _s("The government has countered it since 2001.", [(38, 42, "DATE")])
    assert [since.text[a:b] for a, b in typed_spans("duration", since)] == ["since 2001"]
    assert expected_type("Why are newly discovered oil fields sold at a higher price?") is None
    assert expected_type("What is the price of oil?") == "amount"
