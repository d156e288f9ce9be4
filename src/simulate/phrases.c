/* The simulator's phrase bank: what visitors of a Norwegian web shop (clothes,
 * shoes and home goods, with a paid "Plus" membership) ask its customer agent,
 * and what the human team answers after a handoff. Written for this project;
 * every topic has at least six wordings per language so that the knowledge-gap
 * grouping has real paraphrases to bring together. */
#include "simulate/phrases.h"

/* A NULL-terminated list of strings with static storage (a file-scope compound
 * literal), so each topic reads as one block of data. */
#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define TOPIC(name, weight, answered_pct, handoff_pct, reason, q_en, q_nb, r_en, r_nb) \
    {name, weight, answered_pct, handoff_pct, reason, {q_en, q_nb}, {r_en, r_nb}}

const char *const ap_sim_lang_tags[AP_SIM_LANG__COUNT] = {"en", "nb"};

const struct ap_sim_topic ap_sim_topics[] = {
    TOPIC("order_status", 12, 90, 5, "customer_request",
          LIST("Where is my order?",
               "I ordered last week and still haven't received anything. Where is my package?",
               "Can you tell me the status of order {order}?",
               "Has my order been shipped yet?",
               "How do I check the status of my order?",
               "My order {order} says processing, what does that mean?",
               "When will my order arrive?",
               "I haven't heard anything since I placed my order, is it on its way?"),
          LIST("Hvor er bestillingen min?",
               "Jeg bestilte forrige uke og har ikke fått noe ennå. Hvor er pakken?",
               "Kan dere sjekke status på ordre {order}?",
               "Er bestillingen min sendt?",
               "Hvordan sjekker jeg status på ordren min?",
               "Ordre {order} står som «under behandling», hva betyr det?",
               "Når kommer bestillingen min?",
               "Har ikke hørt noe siden jeg bestilte, er pakken på vei?"),
          LIST("I checked order {order}: it left our warehouse yesterday and should be with you "
               "within two working days. The carrier will text you a tracking link.",
               "Sorry for the wait! Your order was held up in our warehouse but it shipped this "
               "morning. The tracking number is in the email we just sent you."),
          LIST("Jeg har sjekket ordre {order}: den ble sendt fra lageret vårt i går og skal være "
               "hos deg innen to virkedager. Transportøren sender deg en SMS med sporingslenke.",
               "Beklager ventetiden! Bestillingen ble forsinket på lageret, men den ble sendt i "
               "morges. Sporingsnummeret står i e-posten vi nettopp sendte deg.")),

    TOPIC("delivery_time", 9, 88, 3, "customer_request",
          LIST("How long does delivery take?",
               "If I order today, when will I get it?",
               "What are your delivery times?",
               "How many days does shipping usually take?",
               "Will my package arrive before the weekend if I order now?",
               "How fast do you deliver to Bergen?",
               "Is there a way to get my order delivered faster?"),
          LIST("Hvor lang er leveringstiden?",
               "Hvis jeg bestiller i dag, når får jeg varene?",
               "Hvor mange dager tar det før pakken kommer?",
               "Hva er leveringstiden deres?",
               "Rekker jeg å få pakken før helgen hvis jeg bestiller nå?",
               "Hvor raskt leverer dere til Tromsø?",
               "Kan jeg få bestillingen levert fortere?"),
          LIST("Orders placed before 14:00 on a weekday leave the same day. Delivery is usually 1-3 "
               "working days in southern Norway and 2-5 in the north. Express is next day.",
               "If you order now with express delivery it will reach you tomorrow; standard "
               "delivery takes two to three working days."),
          LIST("Bestillinger lagt inn før kl. 14 på hverdager sendes samme dag. Leveringstiden er "
               "vanligvis 1-3 virkedager i Sør-Norge og 2-5 i Nord-Norge. Ekspress er neste dag.",
               "Bestiller du nå med ekspresslevering, er pakken hos deg i morgen. Vanlig levering "
               "tar to til tre virkedager.")),

    TOPIC("delivery_delayed", 6, 55, 25, "customer_request",
          LIST("My package is late, the tracking hasn't moved for days.",
               "The delivery date has passed and I still don't have my order.",
               "Tracking says delivered but I never got the parcel.",
               "Why is my delivery delayed?",
               "My parcel has been stuck at the terminal for a week, what's going on?",
               "The order was supposed to arrive on Tuesday, it's Friday now. Help?",
               "What do I do if my package is lost?"),
          LIST("Pakken min er forsinket, sporingen har ikke endret seg på flere dager.",
               "Leveringsdatoen har passert og jeg har fortsatt ikke fått bestillingen.",
               "Sporingen sier levert, men jeg har aldri fått pakken.",
               "Hvorfor er leveringen min forsinket?",
               "Pakken har stått på terminalen i en uke, hva skjer?",
               "Bestillingen skulle komme tirsdag, nå er det fredag. Hjelp?",
               "Hva gjør jeg hvis pakken har blitt borte?"),
          LIST("I'm sorry about this. I've opened an inquiry with the carrier for order {order}; "
               "if the parcel isn't found within three working days we will send a new one.",
               "The carrier confirms a delay at their terminal. Your parcel is moving again and "
               "should arrive tomorrow. I've refunded the shipping cost for the trouble."),
          LIST("Beklager dette. Jeg har sendt en etterlysning til transportøren for ordre {order}. "
               "Hvis pakken ikke er funnet innen tre virkedager, sender vi en ny.",
               "Transportøren bekrefter forsinkelse på terminalen. Pakken er på vei igjen og skal "
               "komme i morgen. Jeg har refundert fraktkostnaden for bryderiet.")),

    TOPIC("returns", 9, 92, 5, "policy",
          LIST("How do I return an item?",
               "I want to send back a jacket, how does that work?",
               "What is your return policy?",
               "How many days do I have to return something?",
               "Can I return sale items?",
               "Do I have to pay for return shipping?",
               "I'd like to return part of my order, what should I do?"),
          LIST("Hvordan returnerer jeg en vare?",
               "Jeg vil sende tilbake en jakke, hvordan gjør jeg det?",
               "Hva er returreglene deres?",
               "Hvor lang returfrist har dere?",
               "Kan jeg returnere varer jeg kjøpte på salg?",
               "Må jeg betale for returfrakten?",
               "Jeg vil returnere deler av bestillingen, hva gjør jeg?"),
          LIST("You have 30 days to return unused items, sale items included. Start the return "
               "under My orders, print the label and drop the parcel at any pickup point.",
               "I've registered a return for order {order}. The prepaid label is in your inbox; "
               "the refund is made as soon as the parcel reaches us."),
          LIST("Du har 30 dagers returrett på ubrukte varer, også salgsvarer. Start returen under "
               "Mine ordre, skriv ut etiketten og lever pakken på et hvilket som helst hentested.",
               "Jeg har registrert en retur for ordre {order}. Den forhåndsbetalte etiketten ligger "
               "i innboksen din, og pengene kommer tilbake så snart pakken er hos oss.")),

    TOPIC("refund_status", 7, 65, 20, "policy",
          LIST("When will I get my refund?",
               "I returned my order two weeks ago and haven't got my money back.",
               "How long does a refund take?",
               "Has my refund for order {order} been processed?",
               "The refund hasn't shown up on my card yet.",
               "Where is my money? You received the return ten days ago.",
               "Do you refund to the same card I paid with?"),
          LIST("Når får jeg pengene tilbake?",
               "Jeg returnerte bestillingen for to uker siden og har ikke fått refusjon.",
               "Hvor lang tid tar en refusjon?",
               "Er refusjonen for ordre {order} behandlet?",
               "Refusjonen har ikke kommet inn på kortet mitt ennå.",
               "Hvor blir det av pengene mine? Dere fikk returen for ti dager siden.",
               "Blir pengene satt inn på samme kort som jeg betalte med?"),
          LIST("Your refund for order {order} was approved today and goes back to the card you "
               "paid with. Banks usually need 3-5 working days to show it.",
               "I can see the return arrived but wasn't registered. I've processed the refund "
               "manually now, and you'll get a confirmation email."),
          LIST("Refusjonen for ordre {order} ble godkjent i dag og går tilbake til kortet du "
               "betalte med. Det tar vanligvis 3-5 virkedager før banken viser beløpet.",
               "Jeg ser at returen kom fram, men den var ikke registrert. Jeg har nå behandlet "
               "refusjonen manuelt, og du får en bekreftelse på e-post.")),

    TOPIC("password_reset", 8, 95, 3, "configuration",
          LIST("How do I reset my password?",
               "I forgot my password.",
               "I can't remember my password, how do I change it?",
               "The reset password email never arrives.",
               "Where can I change my password?",
               "Can you send me a new password?",
               "I need a new password for my account."),
          LIST("Hvordan tilbakestiller jeg passordet?",
               "Jeg har glemt passordet mitt.",
               "Husker ikke passordet, hvordan endrer jeg det?",
               "Får ikke e-posten for å nullstille passordet.",
               "Hvor kan jeg bytte passord?",
               "Kan dere sende meg et nytt passord?",
               "Jeg trenger nytt passord til kontoen min."),
          LIST("Click \"Forgot password\" on the sign-in page and we'll email you a link. I've just "
               "sent one to the address on your account; it is valid for one hour.",
               "The reset emails were caught by your spam filter. I've whitelisted you and sent a "
               "new link; please check your inbox and the spam folder."),
          LIST("Trykk på «Glemt passord» på innloggingssiden, så sender vi deg en lenke på e-post. "
               "Jeg har nettopp sendt en til adressen på kontoen din, og den gjelder i én time.",
               "E-postene havnet i søppelpostfilteret ditt. Jeg har sendt en ny lenke; sjekk "
               "innboksen og søppelposten.")),

    TOPIC("login_problems", 6, 70, 15, "configuration",
          LIST("I can't log in to my account.",
               "Login doesn't work, it just reloads the page.",
               "It says my email is not registered, but I have an account.",
               "My account is locked after too many attempts.",
               "Why can't I sign in?",
               "I get an error when I try to log in with Vipps.",
               "The app logs me out all the time."),
          LIST("Jeg får ikke logget inn på kontoen min.",
               "Innloggingen virker ikke, siden bare laster på nytt.",
               "Det står at e-posten min ikke er registrert, men jeg har konto.",
               "Kontoen min er låst etter for mange forsøk.",
               "Hvorfor kommer jeg ikke inn på Min side?",
               "Jeg får feilmelding når jeg prøver å logge inn med Vipps.",
               "Appen logger meg ut hele tiden."),
          LIST("Your account was locked after several failed attempts. I've unlocked it; please "
               "sign in again or use \"Forgot password\" if you're unsure of it.",
               "You have two accounts, one per email address. I've merged them, so you can now sign "
               "in with Vipps and see all your orders."),
          LIST("Kontoen din ble låst etter flere mislykkede forsøk. Jeg har låst den opp; logg inn "
               "på nytt, eller bruk «Glemt passord» hvis du er usikker på det.",
               "Du har to kontoer, én per e-postadresse. Jeg har slått dem sammen, så nå kan du "
               "logge inn med Vipps og se alle bestillingene dine.")),

    TOPIC("billing_charge", 5, 50, 35, "policy",
          LIST("I was charged twice for the same order.",
               "There's a charge on my card I don't recognise.",
               "Why did you take money from my account when the order was cancelled?",
               "I paid more than the price shown in the checkout.",
               "You charged me for a membership I didn't sign up for.",
               "Can you explain this payment on my bank statement?"),
          LIST("Jeg har blitt trukket to ganger for samme bestilling.",
               "Det er et trekk på kortet mitt som jeg ikke kjenner igjen.",
               "Hvorfor har dere trukket penger når bestillingen ble kansellert?",
               "Jeg betalte mer enn prisen som stod i kassen.",
               "Dere har trukket meg for et medlemskap jeg ikke har meldt meg på.",
               "Kan dere forklare denne betalingen på kontoutskriften min?"),
          LIST("The second charge is a reservation that was never captured; your bank releases it "
               "within a few days. Only one payment for order {order} went through.",
               "You're right, the Plus membership was started by mistake at checkout. I've "
               "cancelled it and refunded the fee."),
          LIST("Det andre trekket er en reservasjon som aldri ble gjennomført, og banken frigir den "
               "i løpet av noen dager. Bare én betaling for ordre {order} gikk igjennom.",
               "Du har rett, Plus-medlemskapet ble startet ved en feil i kassen. Jeg har avsluttet "
               "det og refundert beløpet.")),

    TOPIC("invoice_copy", 5, 80, 6, "configuration",
          LIST("Can I get a copy of my invoice?",
               "Where do I find the receipt for my order?",
               "I need an invoice with VAT for order {order}.",
               "How do I download my invoice?",
               "I lost the invoice, can you send it again?",
               "Can the invoice be sent to a different email address?"),
          LIST("Kan jeg få en kopi av fakturaen?",
               "Hvor finner jeg kvitteringen for bestillingen min?",
               "Jeg trenger faktura med mva for ordre {order}.",
               "Hvordan laster jeg ned fakturaen?",
               "Jeg har mistet fakturaen, kan dere sende den på nytt?",
               "Kan fakturaen sendes til en annen e-postadresse?"),
          LIST("Every invoice is under My orders: open the order and choose \"Download invoice\". "
               "I've also emailed you a copy of the invoice for order {order}.",
               "I've sent the invoice to the new address you gave me. Future invoices will still go "
               "to the address on your account unless you change it there."),
          LIST("Alle fakturaer ligger under Mine ordre: åpne ordren og velg «Last ned faktura». "
               "Jeg har også sendt deg en kopi av fakturaen for ordre {order} på e-post.",
               "Jeg har sendt fakturaen til den nye adressen du oppga. Senere fakturaer går fortsatt "
               "til adressen på kontoen, med mindre du endrer den der.")),

    TOPIC("subscription_cancel", 5, 85, 12, "policy",
          LIST("How do I cancel my Plus membership?",
               "I want to end my subscription.",
               "Can I stop the membership before the year is over?",
               "Please cancel my subscription, I don't use it.",
               "How do I turn off automatic renewal?",
               "Will I get money back if I cancel the membership now?"),
          LIST("Hvordan sier jeg opp Plus-medlemskapet?",
               "Jeg vil avslutte abonnementet mitt.",
               "Kan jeg avslutte medlemskapet før året er omme?",
               "Vennligst avslutt abonnementet mitt, jeg bruker det ikke.",
               "Hvordan skrur jeg av automatisk fornyelse?",
               "Får jeg pengene tilbake hvis jeg sier opp medlemskapet nå?"),
          LIST("I've cancelled your Plus membership. You keep the benefits until the end of the "
               "paid period and won't be charged again.",
               "Your membership is stopped, and since you haven't used any Plus benefits this "
               "month I've refunded this month's fee."),
          LIST("Jeg har sagt opp Plus-medlemskapet ditt. Du beholder fordelene ut perioden du har "
               "betalt for, og blir ikke trukket igjen.",
               "Medlemskapet er avsluttet, og siden du ikke har brukt Plus-fordelene denne måneden, "
               "har jeg refundert månedens beløp.")),

    TOPIC("subscription_change", 3, 65, 8, "configuration",
          LIST("How do I upgrade to the yearly Plus plan?",
               "Can I switch from monthly to yearly payment?",
               "I want to downgrade my membership.",
               "What's the difference between Plus monthly and Plus yearly?",
               "Can I pause my membership for a few months?",
               "How do I change the card my subscription is charged to?"),
          LIST("Hvordan oppgraderer jeg til årlig Plus?",
               "Kan jeg bytte fra månedlig til årlig betaling?",
               "Jeg vil nedgradere medlemskapet mitt.",
               "Hva er forskjellen på Plus månedlig og Plus årlig?",
               "Kan jeg sette medlemskapet på pause i noen måneder?",
               "Hvordan bytter jeg kortet abonnementet trekkes fra?"),
          LIST("I've moved you to the yearly plan; the unused part of this month is credited, so "
               "you only pay the difference.",
               "You can change the card under Membership > Payment. I've paused your membership for "
               "three months as you asked; it restarts automatically."),
          LIST("Jeg har flyttet deg over til årsplanen. Det du ikke har brukt av denne måneden blir "
               "kreditert, så du betaler bare mellomlegget.",
               "Du bytter kort under Medlemskap > Betaling. Jeg har satt medlemskapet på pause i tre "
               "måneder som du ba om, og det starter igjen automatisk.")),

    TOPIC("opening_hours", 6, 97, 2, "customer_request",
          LIST("What are your opening hours?",
               "When is customer service open?",
               "Are you open on Sundays?",
               "What time does the store in Oslo close today?",
               "Are you open during Easter?",
               "Until when can I call you today?"),
          LIST("Hva er åpningstidene deres?",
               "Når har kundeservice åpent?",
               "Har dere åpent på søndager?",
               "Når stenger butikken i Oslo i dag?",
               "Har dere åpent i påsken?",
               "Hvor lenge kan jeg ringe dere i dag?"),
          LIST("Customer service is open weekdays 8-18 and Saturdays 10-15. The Oslo store is open "
               "10-20 on weekdays and 10-18 on Saturdays.",
               "We're closed on public holidays, but chat and email are answered the next working "
               "day. The shop itself stays open online all the time."),
          LIST("Kundeservice har åpent hverdager 8-18 og lørdager 10-15. Butikken i Oslo har åpent "
               "10-20 på hverdager og 10-18 på lørdager.",
               "Vi holder stengt på helligdager, men chat og e-post besvares neste virkedag. "
               "Nettbutikken er åpen hele tiden.")),

    TOPIC("shipping_abroad", 4, 15, 10, "policy",
          LIST("Do you ship to Sweden?",
               "Can I order from Germany?",
               "Do you deliver outside Norway?",
               "How much is shipping to Denmark?",
               "I live in the UK, can you send my order there?",
               "Will I have to pay customs if you ship to the US?",
               "Can I have the parcel delivered to my holiday address in Spain?"),
          LIST("Sender dere til Sverige?",
               "Kan jeg bestille fra Tyskland?",
               "Leverer dere utenfor Norge?",
               "Hva koster frakt til Danmark?",
               "Jeg bor i England, kan dere sende bestillingen dit?",
               "Må jeg betale toll hvis dere sender til USA?",
               "Kan pakken leveres til feriestedet mitt i Spania?"),
          LIST("We ship to Sweden, Denmark and Finland for 149 kr; other countries aren't possible "
               "yet. Choose the country at checkout and the price updates.",
               "Unfortunately we only deliver within the Nordics today. For the UK and the US "
               "you'd also pay customs and VAT on arrival, which is why we haven't opened them."),
          LIST("Vi sender til Sverige, Danmark og Finland for 149 kr. Andre land er ikke mulig "
               "ennå. Velg land i kassen, så oppdateres prisen.",
               "Dessverre leverer vi bare i Norden i dag. Til England og USA måtte du i tillegg "
               "betalt toll og mva ved levering, og derfor har vi ikke åpnet for det.")),

    TOPIC("gift_cards", 4, 20, 8, "policy",
          LIST("Do you sell gift cards?",
               "How do I use a gift card online?",
               "How long is a gift card valid?",
               "Can I check the balance on my gift card?",
               "My gift card code doesn't work at checkout.",
               "Can I combine a gift card with a discount code?",
               "I lost my gift card, can it be replaced?"),
          LIST("Selger dere gavekort?",
               "Hvordan bruker jeg gavekort på nettet?",
               "Hvor lenge er gavekortet gyldig?",
               "Kan jeg sjekke saldoen på gavekortet?",
               "Gavekortkoden virker ikke i kassen.",
               "Kan jeg kombinere gavekort med rabattkode?",
               "Jeg har mistet gavekortet, kan det erstattes?"),
          LIST("Gift cards are valid for three years and can be used online and in stores. Enter the "
               "code in the payment step; the remaining balance stays on the card.",
               "The code didn't work because the card was bought in a store and not activated. "
               "I've activated it now, and you can combine it with a discount code."),
          LIST("Gavekort gjelder i tre år og kan brukes både på nett og i butikk. Skriv inn koden i "
               "betalingssteget; det som er igjen, blir stående på kortet.",
               "Koden virket ikke fordi kortet var kjøpt i butikk og ikke aktivert. Jeg har "
               "aktivert det nå, og du kan kombinere det med en rabattkode.")),

    TOPIC("account_deletion", 3, 25, 30, "policy",
          LIST("How do I delete my account?",
               "Please remove my account and all my data.",
               "I want to close my customer account.",
               "Can you erase my personal information?",
               "How do I unregister from your shop?",
               "I no longer want an account with you, delete it please."),
          LIST("Hvordan sletter jeg kontoen min?",
               "Vennligst slett kontoen min og alle opplysningene mine.",
               "Jeg vil avslutte kundekontoen min.",
               "Kan dere slette personopplysningene mine?",
               "Hvordan melder jeg meg ut av nettbutikken?",
               "Jeg vil ikke ha konto hos dere lenger, slett den."),
          LIST("I've started the deletion of your account. Order history has to be kept for five "
               "years by accounting law, but everything else is erased within 30 days.",
               "Your account is deleted and you've been removed from all mailing lists. You'll get "
               "an email confirming it."),
          LIST("Jeg har satt i gang slettingen av kontoen din. Ordrehistorikken må vi ta vare på i "
               "fem år etter bokføringsloven, men alt annet slettes innen 30 dager.",
               "Kontoen din er slettet, og du er fjernet fra alle e-postlister. Du får en "
               "bekreftelse på e-post.")),

    TOPIC("address_change", 4, 80, 12, "configuration",
          LIST("How do I change my delivery address?",
               "I moved, can I update the address on my order?",
               "I typed the wrong address, can you fix it?",
               "Can I change the shipping address after ordering?",
               "Where do I update my address in my account?",
               "Please send order {order} to my work address instead."),
          LIST("Hvordan endrer jeg leveringsadressen?",
               "Jeg har flyttet, kan jeg oppdatere adressen på bestillingen?",
               "Jeg skrev feil adresse, kan dere rette den?",
               "Kan jeg endre leveringsadresse etter at jeg har bestilt?",
               "Hvor oppdaterer jeg adressen på kontoen min?",
               "Send ordre {order} til jobbadressen min i stedet."),
          LIST("Order {order} hadn't been packed yet, so I've changed the delivery address. You can "
               "update your saved address under My account > Addresses.",
               "The parcel was already with the carrier, so I've asked them to redirect it. The new "
               "address should show in the tracking within a day."),
          LIST("Ordre {order} var ikke pakket ennå, så jeg har endret leveringsadressen. Du "
               "oppdaterer den lagrede adressen under Min konto > Adresser.",
               "Pakken var allerede hos transportøren, så jeg har bedt dem om å omadressere den. "
               "Den nye adressen skal vises i sporingen innen et døgn.")),

    TOPIC("payment_methods", 5, 92, 4, "configuration",
          LIST("What payment methods do you accept?",
               "Can I pay with Vipps?",
               "Do you take American Express?",
               "Can I pay by invoice?",
               "Is it possible to pay with PayPal?",
               "My card is declined at checkout, what other ways can I pay?"),
          LIST("Hvilke betalingsmåter tar dere imot?",
               "Kan jeg betale med Vipps?",
               "Tar dere American Express?",
               "Kan jeg betale med faktura?",
               "Er det mulig å betale med PayPal?",
               "Kortet mitt blir avvist i kassen, hvordan ellers kan jeg betale?"),
          LIST("We take Visa, Mastercard, Vipps and invoice with 14 days to pay. American Express "
               "and PayPal aren't supported.",
               "The decline came from your bank's 3-D Secure check. Try again and approve in your "
               "bank app, or choose Vipps or invoice instead."),
          LIST("Vi tar Visa, Mastercard, Vipps og faktura med 14 dagers betalingsfrist. American "
               "Express og PayPal støttes ikke.",
               "Avvisningen kom fra bankens 3-D Secure-kontroll. Prøv igjen og godkjenn i bankappen, "
               "eller velg Vipps eller faktura i stedet.")),

    TOPIC("damaged_item", 4, 55, 40, "customer_request",
          LIST("The item I received is damaged.",
               "My vase arrived broken, what now?",
               "The jacket has a hole in it, I just opened the package.",
               "The box was crushed and the product inside is scratched.",
               "I got a faulty product, can I get a new one?",
               "One of the plates in my order was cracked."),
          LIST("Varen jeg fikk er skadet.",
               "Vasen kom i stykker, hva gjør jeg nå?",
               "Jakka har et hull, jeg har akkurat åpnet pakken.",
               "Esken var knust og produktet inni er oppskrapet.",
               "Jeg har fått en defekt vare, kan jeg få en ny?",
               "En av tallerkenene i bestillingen var sprukket."),
          LIST("I'm sorry it arrived like that. There's no need to send it back: I've shipped a "
               "replacement today and you'll get the tracking link by email.",
               "Thanks for the photos. I've refunded the damaged item on order {order}; please "
               "recycle it, we don't need it returned."),
          LIST("Så leit at den kom fram sånn. Du trenger ikke sende den tilbake: jeg har sendt en "
               "ny i dag, og du får sporingslenken på e-post.",
               "Takk for bildene. Jeg har refundert den skadde varen på ordre {order}. Du kan kaste "
               "den, vi trenger den ikke i retur.")),

    TOPIC("warranty", 4, 30, 30, "policy",
          LIST("Is there a warranty on your products?",
               "My shoes fell apart after three months, is that covered?",
               "How do I make a warranty claim?",
               "How long is the guarantee on the coffee machine?",
               "The zipper broke on my jacket, can it be repaired under warranty?",
               "Do I need the receipt to claim warranty?",
               "What does the complaint period cover?"),
          LIST("Er det garanti på produktene deres?",
               "Skoene gikk i stykker etter tre måneder, dekkes det?",
               "Hvordan reklamerer jeg på en vare?",
               "Hvor lang garanti er det på kaffemaskinen?",
               "Glidelåsen på jakka røk, kan den repareres på garanti?",
               "Trenger jeg kvittering for å reklamere?",
               "Hva dekker reklamasjonsretten?"),
          LIST("You have a right to complain for two years, five for products meant to last longer "
               "such as shoes and machines. Send us a photo and the order number and we'll sort it.",
               "This is covered. I've registered a claim on order {order}: send the jacket back with "
               "the attached label and we'll repair or replace it."),
          LIST("Du har reklamasjonsrett i to år, og fem år for varer som skal vare lenger, som sko og "
               "maskiner. Send oss et bilde og ordrenummeret, så ordner vi det.",
               "Dette dekkes. Jeg har registrert en reklamasjon på ordre {order}. Send jakka tilbake "
               "med vedlagt etikett, så reparerer eller erstatter vi den.")),

    TOPIC("discount_codes", 5, 60, 10, "configuration",
          LIST("My discount code doesn't work.",
               "Where do I enter a promo code?",
               "The code from your newsletter says invalid.",
               "Can I use two discount codes on one order?",
               "I forgot to use my discount code, can you apply it afterwards?",
               "Why isn't the student code working?",
               "Is there a discount code for first-time buyers?"),
          LIST("Rabattkoden min virker ikke.",
               "Hvor skriver jeg inn rabattkoden?",
               "Koden fra nyhetsbrevet står som ugyldig.",
               "Kan jeg bruke to rabattkoder på én bestilling?",
               "Jeg glemte å bruke rabattkoden, kan dere legge den til etterpå?",
               "Hvorfor virker ikke studentkoden?",
               "Finnes det rabattkode for nye kunder?"),
          LIST("The newsletter code only applies to full-price items, which is why it was rejected. "
               "I've refunded 15% of order {order} as if the code had worked.",
               "Only one code per order, I'm afraid. You enter it in the basket, just above the "
               "total, and the new price shows straight away."),
          LIST("Koden fra nyhetsbrevet gjelder bare varer til full pris, derfor ble den avvist. Jeg "
               "har refundert 15 % av ordre {order}, som om koden hadde virket.",
               "Det kan dessverre bare brukes én kode per bestilling. Du skriver den inn i "
               "handlekurven rett over totalsummen, og den nye prisen vises med en gang.")),

    TOPIC("order_cancel", 5, 80, 15, "policy",
          LIST("How do I cancel my order?",
               "I ordered by mistake, can you cancel it?",
               "Please cancel order {order}.",
               "Is it too late to cancel my order?",
               "I want to cancel one item from my order.",
               "Can I still stop the delivery?"),
          LIST("Hvordan kansellerer jeg bestillingen?",
               "Jeg bestilte ved en feil, kan dere kansellere?",
               "Vennligst kanseller ordre {order}.",
               "Er det for sent å avbestille?",
               "Jeg vil fjerne én vare fra bestillingen.",
               "Kan jeg fortsatt stoppe leveringen?"),
          LIST("Order {order} is cancelled and the payment reservation is released; you'll see it "
               "on your card within a few days.",
               "It had already shipped, so I couldn't cancel it. Just refuse the parcel at the "
               "pickup point and we'll refund you when it comes back."),
          LIST("Ordre {order} er kansellert, og reservasjonen på kortet er frigitt. Det vises på "
               "kontoen din i løpet av noen dager.",
               "Den var allerede sendt, så jeg kunne ikke kansellere. La pakken ligge på hentestedet, "
               "så refunderer vi når den kommer tilbake til oss.")),

    TOPIC("wrong_item", 3, 50, 45, "customer_request",
          LIST("I received the wrong item.",
               "You sent me a blue sweater but I ordered a green one.",
               "The size in the package isn't the one I ordered.",
               "This isn't what I ordered, what do I do?",
               "My parcel contained someone else's order.",
               "I got a different product than the one in my order confirmation."),
          LIST("Jeg har fått feil vare.",
               "Dere sendte en blå genser, men jeg bestilte en grønn.",
               "Størrelsen i pakken er ikke den jeg bestilte.",
               "Dette er ikke det jeg bestilte, hva gjør jeg?",
               "Pakken min inneholdt noen andres bestilling.",
               "Jeg fikk et annet produkt enn det som står i ordrebekreftelsen."),
          LIST("Sorry for the mix-up! I've sent the right item today with express delivery. Use the "
               "prepaid label in the email to send the wrong one back when it suits you.",
               "Our warehouse packed the wrong size. The correct one is on its way and you can keep "
               "the other one, no need to return it."),
          LIST("Beklager forvekslingen! Jeg har sendt riktig vare i dag med ekspress. Bruk den "
               "forhåndsbetalte etiketten i e-posten for å sende tilbake feil vare når det passer.",
               "Lageret pakket feil størrelse. Riktig størrelse er på vei, og du kan beholde den "
               "andre, du trenger ikke sende den tilbake.")),

    TOPIC("missing_item", 3, 50, 40, "customer_request",
          LIST("An item is missing from my order.",
               "I only got two of the three things I ordered.",
               "The parcel arrived but the belt wasn't in it.",
               "Part of my order never came.",
               "Was my order split into several packages? Something is missing.",
               "Order {order} is incomplete."),
          LIST("Det mangler en vare i bestillingen min.",
               "Jeg fikk bare to av de tre tingene jeg bestilte.",
               "Pakken kom, men beltet var ikke med.",
               "En del av bestillingen kom aldri.",
               "Ble bestillingen delt i flere pakker? Noe mangler.",
               "Ordre {order} er ikke komplett."),
          LIST("Your order was split in two because one item came from another warehouse. The "
               "second parcel is on its way; tracking is in the email we just sent.",
               "The belt was left out by mistake. I've sent it separately today at no cost."),
          LIST("Bestillingen ble delt i to fordi én vare kom fra et annet lager. Den andre pakken "
               "er på vei, og sporingen står i e-posten vi nettopp sendte.",
               "Beltet ble glemt ved en feil. Jeg har sendt det separat i dag, uten kostnad for "
               "deg.")),

    TOPIC("exchange_size", 4, 85, 6, "policy",
          LIST("Can I exchange my shoes for a bigger size?",
               "The dress is too small, can I swap it?",
               "How do exchanges work?",
               "I need a different size, do I have to return and reorder?",
               "Is exchanging free?",
               "Can I exchange an item for a different colour?"),
          LIST("Kan jeg bytte skoene til en større størrelse?",
               "Kjolen er for liten, kan jeg bytte den?",
               "Hvordan fungerer bytte?",
               "Jeg trenger en annen størrelse, må jeg returnere og bestille på nytt?",
               "Er det gratis å bytte?",
               "Kan jeg bytte til en annen farge?"),
          LIST("Exchanges are free: choose \"Exchange\" under My orders, pick the new size and we "
               "ship it as soon as the return is scanned at the pickup point.",
               "I've reserved the larger size for you and sent a return label; the new pair ships "
               "as soon as you drop the old one off."),
          LIST("Det er gratis å bytte: velg «Bytt» under Mine ordre, velg ny størrelse, så sender "
               "vi den så snart returen er skannet på hentestedet.",
               "Jeg har reservert den større størrelsen til deg og sendt en returetikett. Det nye "
               "paret sendes så snart du har levert det gamle.")),

    TOPIC("tracking_number", 4, 90, 4, "customer_request",
          LIST("Where do I find my tracking number?",
               "Can you send me the tracking link?",
               "I didn't get a tracking number for my order.",
               "Which carrier is delivering my parcel?",
               "The tracking number doesn't work on the carrier's site.",
               "How can I follow my package?"),
          LIST("Hvor finner jeg sporingsnummeret?",
               "Kan dere sende meg sporingslenken?",
               "Jeg har ikke fått sporingsnummer på bestillingen.",
               "Hvilken transportør leverer pakken min?",
               "Sporingsnummeret virker ikke på transportørens side.",
               "Hvordan kan jeg følge pakken?"),
          LIST("The tracking number is in the shipping confirmation and under My orders. For order "
               "{order} it is the Posten number starting with 70; I've sent it to you by text.",
               "Tracking numbers only become active once the carrier scans the parcel, usually the "
               "evening after it ships. It should work now."),
          LIST("Sporingsnummeret står i forsendelsesbekreftelsen og under Mine ordre. For ordre "
               "{order} er det Posten-nummeret som starter på 70; jeg har sendt det på SMS.",
               "Sporingsnummeret blir først aktivt når transportøren skanner pakken, vanligvis "
               "kvelden etter at den er sendt. Det skal virke nå.")),

    TOPIC("pickup_point", 3, 80, 8, "configuration",
          LIST("Can I change my pickup point?",
               "The parcel went to the wrong pickup point.",
               "How long will my parcel wait at the pickup point?",
               "Can someone else collect my package?",
               "I want home delivery instead of a pickup point.",
               "Which pickup points can I choose from?"),
          LIST("Kan jeg bytte hentested?",
               "Pakken ble sendt til feil hentested.",
               "Hvor lenge ligger pakken på hentestedet?",
               "Kan noen andre hente pakken min?",
               "Jeg vil ha levering hjem i stedet for hentested.",
               "Hvilke hentesteder kan jeg velge mellom?"),
          LIST("Parcels wait 14 days at the pickup point. Someone else can collect it with the "
               "pickup code and their own ID.",
               "I've asked the carrier to move the parcel to the pickup point you wanted. You'll get "
               "a new text when it's ready."),
          LIST("Pakken ligger 14 dager på hentestedet. Andre kan hente den med hentekoden og egen "
               "legitimasjon.",
               "Jeg har bedt transportøren flytte pakken til hentestedet du ønsket. Du får en ny SMS "
               "når den er klar.")),

    TOPIC("store_locations", 3, 95, 2, "customer_request",
          LIST("Where are your stores?",
               "Do you have a shop in Trondheim?",
               "What's the address of your store in Oslo?",
               "Is there a store near Stavanger?",
               "Can I pick up my online order in a store?",
               "Where is your nearest shop?"),
          LIST("Hvor ligger butikkene deres?",
               "Har dere butikk i Trondheim?",
               "Hva er adressen til butikken i Oslo?",
               "Finnes det en butikk i nærheten av Stavanger?",
               "Kan jeg hente nettbestillingen i butikk?",
               "Hvor er nærmeste butikk?"),
          LIST("We have stores in Oslo (Karl Johans gate), Bergen, Trondheim and Stavanger. All of "
               "them can hand out online orders; choose \"Pick up in store\" at checkout.",
               "The nearest store to you is in Stavanger city centre, open 10-20 on weekdays."),
          LIST("Vi har butikker i Oslo (Karl Johans gate), Bergen, Trondheim og Stavanger. Alle kan "
               "utlevere nettbestillinger; velg «Hent i butikk» i kassen.",
               "Nærmeste butikk for deg er i Stavanger sentrum, åpen 10-20 på hverdager.")),

    TOPIC("product_availability", 4, 65, 6, "customer_request",
          LIST("When will this item be back in stock?",
               "The jacket I want is sold out in my size, will you get more?",
               "Can I be notified when the product is available again?",
               "Is this sofa in stock in your Bergen store?",
               "Do you restock sale items?",
               "Why does the product say coming soon?"),
          LIST("Når kommer denne varen på lager igjen?",
               "Jakka jeg vil ha er utsolgt i min størrelse, får dere inn flere?",
               "Kan jeg få beskjed når produktet er tilgjengelig igjen?",
               "Har butikken i Bergen denne sofaen på lager?",
               "Tar dere inn salgsvarer på nytt?",
               "Hvorfor står det «kommer snart» på produktet?"),
          LIST("We expect the jacket back in your size in about two weeks. Press \"Notify me\" on "
               "the product page and you'll get an email the moment it's in.",
               "The Bergen store has two in stock; I've asked them to hold one for you until "
               "Saturday."),
          LIST("Vi venter jakka inn igjen i din størrelse om cirka to uker. Trykk «Varsle meg» på "
               "produktsiden, så får du e-post med en gang den er på lager.",
               "Butikken i Bergen har to på lager, og jeg har bedt dem holde av én til deg til "
               "lørdag.")),

    TOPIC("price_match", 2, 10, 15, "policy",
          LIST("Do you match prices from other stores?",
               "I found the same shoes cheaper elsewhere, can you match it?",
               "The price dropped the day after I bought it, can I get the difference back?",
               "Do you have a price guarantee?",
               "Will you refund the difference if the item goes on sale?",
               "Another shop sells this for 200 kr less, can I get that price?"),
          LIST("Matcher dere priser fra andre butikker?",
               "Jeg fant de samme skoene billigere et annet sted, kan dere matche prisen?",
               "Prisen gikk ned dagen etter at jeg kjøpte, kan jeg få mellomlegget tilbake?",
               "Har dere prisgaranti?",
               "Får jeg tilbake differansen hvis varen kommer på salg?",
               "En annen butikk selger denne 200 kr billigere, kan jeg få den prisen?"),
          LIST("We don't match competitors' prices, but we do have a 14-day price guarantee on our "
               "own prices. I've refunded the difference on order {order}.",
               "Our price guarantee covers drops on our own site within 14 days of purchase, so "
               "you're entitled to the difference. It's on its way back to your card."),
          LIST("Vi matcher ikke konkurrenters priser, men vi har 14 dagers prisgaranti på egne "
               "priser. Jeg har refundert mellomlegget på ordre {order}.",
               "Prisgarantien vår gjelder prisfall hos oss innen 14 dager etter kjøp, så du har krav "
               "på mellomlegget. Det er på vei tilbake til kortet ditt.")),

    TOPIC("student_discount", 2, 10, 5, "policy",
          LIST("Do you have a student discount?",
               "Is there a discount for students?",
               "How do I verify that I'm a student?",
               "Can I get a discount with my student ID?",
               "Do apprentices get the student discount too?",
               "Is there a discount for pensioners or students?"),
          LIST("Har dere studentrabatt?",
               "Får studenter rabatt hos dere?",
               "Hvordan bekrefter jeg at jeg er student?",
               "Kan jeg få rabatt med studentbeviset?",
               "Får lærlinger også studentrabatt?",
               "Har dere rabatt for pensjonister eller studenter?"),
          LIST("Students get 10% off with a verified student ID. Sign in, open My account > Student "
               "and verify through the student app; the discount applies automatically.",
               "Apprentices count as students for us. Send a copy of your apprenticeship contract "
               "and I'll turn the discount on for your account."),
          LIST("Studenter får 10 % rabatt med bekreftet studentbevis. Logg inn, gå til Min konto > "
               "Student og bekreft i studentappen, så trekkes rabatten automatisk.",
               "Lærlinger regnes som studenter hos oss. Send en kopi av lærekontrakten, så slår jeg "
               "på rabatten for kontoen din.")),

    TOPIC("installments", 3, 20, 8, "policy",
          LIST("Can I pay in instalments?",
               "Do you offer part payment?",
               "Can I split the payment over several months?",
               "Is there interest if I pay later?",
               "How does pay later work?",
               "Can I pay for the sofa over 12 months?"),
          LIST("Kan jeg betale i avdrag?",
               "Tilbyr dere delbetaling?",
               "Kan jeg dele opp betalingen over flere måneder?",
               "Er det rente hvis jeg betaler senere?",
               "Hvordan fungerer «betal senere»?",
               "Kan jeg betale sofaen over 12 måneder?"),
          LIST("Yes: choose invoice at checkout and then \"Part payment\". Three months are free of "
               "interest; longer plans have a monthly fee shown before you confirm.",
               "Part payment needs a credit check by our invoice partner. It was declined this "
               "time, but you can still pay by card or Vipps."),
          LIST("Ja: velg faktura i kassen og deretter «Delbetaling». Tre måneder er rentefritt; "
               "lengre avtaler har et månedsgebyr som vises før du bekrefter.",
               "Delbetaling krever kredittsjekk hos fakturapartneren vår. Den ble avslått denne "
               "gangen, men du kan fortsatt betale med kort eller Vipps.")),

    TOPIC("business_invoice", 2, 15, 20, "configuration",
          LIST("Can I order as a company?",
               "Do you have business accounts?",
               "I need the invoice addressed to my company with our organisation number.",
               "Can we pay by invoice as a business customer?",
               "Do you offer volume discounts for companies?",
               "How do I add our VAT number to the order?"),
          LIST("Kan jeg bestille som bedrift?",
               "Har dere bedriftskonto?",
               "Jeg trenger faktura til firmaet med organisasjonsnummer.",
               "Kan vi betale med faktura som bedriftskunde?",
               "Gir dere mengderabatt til bedrifter?",
               "Hvordan legger jeg til organisasjonsnummeret på bestillingen?"),
          LIST("We've set up a business account for your company with 30 days' invoice. Sign in "
               "with your work email and the organisation number is added automatically.",
               "I've reissued the invoice for order {order} to your company with the organisation "
               "number. Volume discounts start at 20 items; I'll email you the terms."),
          LIST("Vi har opprettet en bedriftskonto for firmaet med 30 dagers faktura. Logg inn med "
               "jobb-e-posten, så legges organisasjonsnummeret til automatisk.",
               "Jeg har utstedt fakturaen for ordre {order} på nytt til firmaet med "
               "organisasjonsnummer. Mengderabatt gjelder fra 20 varer; jeg sender vilkårene på "
               "e-post.")),

    TOPIC("newsletter_unsubscribe", 2, 90, 3, "configuration",
          LIST("How do I unsubscribe from your newsletter?",
               "Stop sending me emails please.",
               "I get too many marketing texts from you.",
               "How do I turn off offers by SMS?",
               "I unsubscribed but I still get your newsletter.",
               "Remove me from your mailing list."),
          LIST("Hvordan melder jeg meg av nyhetsbrevet?",
               "Vær så snill og slutt å sende meg e-post.",
               "Jeg får for mange reklame-SMS fra dere.",
               "Hvordan skrur jeg av tilbud på SMS?",
               "Jeg meldte meg av, men får fortsatt nyhetsbrevet.",
               "Fjern meg fra e-postlisten deres."),
          LIST("Use the unsubscribe link at the bottom of any newsletter, or turn off email and SMS "
               "under My account > Preferences.",
               "You had two subscriptions, one from a store visit. I've removed both, though "
               "mailings already scheduled may still arrive for a couple of days."),
          LIST("Bruk avmeldingslenken nederst i nyhetsbrevet, eller skru av e-post og SMS under "
               "Min konto > Innstillinger.",
               "Du stod på listen to ganger, én fra et butikkbesøk. Jeg har fjernet begge, men "
               "utsendelser som allerede er planlagt kan komme i et par dager til.")),

    TOPIC("data_privacy", 2, 55, 20, "policy",
          LIST("What personal data do you store about me?",
               "Can I get a copy of all the data you have on me?",
               "Do you share my information with third parties?",
               "How long do you keep my data?",
               "Where can I read your privacy policy?",
               "Do you use cookies to track me?"),
          LIST("Hvilke personopplysninger lagrer dere om meg?",
               "Kan jeg få en kopi av alle opplysningene dere har om meg?",
               "Deler dere informasjonen min med tredjeparter?",
               "Hvor lenge tar dere vare på opplysningene mine?",
               "Hvor kan jeg lese personvernerklæringen?",
               "Bruker dere informasjonskapsler for å spore meg?"),
          LIST("I've requested an export of your data; you'll receive it by email within 30 days, "
               "as the GDPR requires.",
               "We only share your address with the carrier and payment details with the payment "
               "provider. The full list is in the privacy policy linked at the bottom of the site."),
          LIST("Jeg har bestilt en innsynsrapport for deg. Du får den på e-post innen 30 dager, "
               "slik personvernforordningen krever.",
               "Vi deler bare adressen med transportøren og betalingsopplysningene med "
               "betalingsleverandøren. Hele oversikten står i personvernerklæringen nederst på "
               "siden.")),

    TOPIC("contact_human", 4, 95, 85, "customer_request",
          LIST("Can I talk to a real person?",
               "I want to speak to customer service.",
               "Please connect me with a human.",
               "What is your phone number?",
               "How do I reach an actual employee?",
               "I'd rather talk to someone from your team."),
          LIST("Kan jeg snakke med et ekte menneske?",
               "Jeg vil snakke med kundeservice.",
               "Sett meg over til en person, takk.",
               "Hva er telefonnummeret deres?",
               "Hvordan får jeg tak i en ansatt?",
               "Jeg vil heller snakke med noen fra teamet deres."),
          LIST("Hi, this is customer service. How can I help you?",
               "Hello! You're through to a person now. What can I do for you?"),
          LIST("Hei, dette er kundeservice. Hva kan jeg hjelpe deg med?",
               "Hei! Nå snakker du med en person. Hva kan jeg gjøre for deg?")),

    TOPIC("order_modify", 3, 40, 20, "configuration",
          LIST("Can I add something to my order?",
               "I want to change the size in my order before it ships.",
               "Is it possible to edit an order after paying?",
               "Can I combine two orders into one delivery?",
               "I forgot an item, can you put it in the same parcel?",
               "Can I swap a product in order {order}?"),
          LIST("Kan jeg legge til noe i bestillingen?",
               "Jeg vil endre størrelsen i bestillingen før den sendes.",
               "Er det mulig å endre en bestilling etter at jeg har betalt?",
               "Kan jeg slå sammen to bestillinger til én levering?",
               "Jeg glemte en vare, kan dere legge den i samme pakke?",
               "Kan jeg bytte ut et produkt i ordre {order}?"),
          LIST("Order {order} hadn't been picked yet, so I've changed the size for you. The total is "
               "the same, so there's nothing more to pay.",
               "We can't add to a paid order, but I've put your two orders in one parcel and "
               "refunded the second shipping fee."),
          LIST("Ordre {order} var ikke plukket ennå, så jeg har endret størrelsen for deg. Prisen er "
               "den samme, så du har ikke noe mer å betale.",
               "Vi kan ikke legge til varer i en betalt ordre, men jeg har samlet de to "
               "bestillingene i én pakke og refundert den andre frakten.")),

    TOPIC("delivery_options", 3, 90, 3, "customer_request",
          LIST("Do you offer home delivery?",
               "Can I get express delivery?",
               "What shipping options do you have?",
               "How much does shipping cost?",
               "Is shipping free over a certain amount?",
               "Can you deliver in the evening?"),
          LIST("Tilbyr dere hjemlevering?",
               "Kan jeg få ekspresslevering?",
               "Hvilke leveringsmåter har dere?",
               "Hva koster frakten?",
               "Er det gratis frakt over et visst beløp?",
               "Kan dere levere på kvelden?"),
          LIST("You can choose pickup point (49 kr, free over 499 kr), home delivery in the evening "
               "(99 kr) or express next day (149 kr).",
               "Evening home delivery is available in most postcodes; put yours in at checkout to "
               "see the options where you live."),
          LIST("Du kan velge hentested (49 kr, gratis over 499 kr), hjemlevering på kvelden "
               "(99 kr) eller ekspress neste dag (149 kr).",
               "Hjemlevering på kvelden finnes i de fleste postnumre; skriv inn ditt i kassen for å "
               "se hva som gjelder der du bor.")),

    TOPIC("return_label", 3, 70, 8, "configuration",
          LIST("I didn't get a return label.",
               "Where do I find the return slip?",
               "The return label won't print.",
               "Can you email me a return label?",
               "Do I need a printer to return something?",
               "The QR code for my return doesn't work at the post office."),
          LIST("Jeg har ikke fått returetikett.",
               "Hvor finner jeg returseddelen?",
               "Returetiketten lar seg ikke skrive ut.",
               "Kan dere sende meg en returetikett på e-post?",
               "Trenger jeg skriver for å returnere?",
               "QR-koden for returen virker ikke på posten."),
          LIST("No printer needed: show the QR code from the return email at the pickup point. I've "
               "sent you a new one for order {order}.",
               "The first label had expired. I've generated a new return label and emailed it to "
               "you; it's valid for 14 days."),
          LIST("Du trenger ikke skriver: vis QR-koden fra retur-e-posten på hentestedet. Jeg har "
               "sendt deg en ny for ordre {order}.",
               "Den første etiketten hadde utløpt. Jeg har laget en ny returetikett og sendt den på "
               "e-post; den gjelder i 14 dager.")),

    TOPIC("loyalty_points", 3, 20, 10, "configuration",
          LIST("How many bonus points do I have?",
               "My points from the last purchase are missing.",
               "How do I use my bonus points?",
               "Do bonus points expire?",
               "Why didn't I get points for my store purchase?",
               "Can I transfer my points to my partner?"),
          LIST("Hvor mange bonuspoeng har jeg?",
               "Poengene fra forrige kjøp mangler.",
               "Hvordan bruker jeg bonuspoengene?",
               "Går bonuspoengene ut på dato?",
               "Hvorfor fikk jeg ikke poeng for kjøpet i butikken?",
               "Kan jeg overføre poengene mine til samboeren min?"),
          LIST("Points are added 14 days after purchase, when the return period is over. I've "
               "added the points for your store purchase manually.",
               "Points are valid for two years and are used as a discount in the basket: 100 points "
               "give 10 kr. They can't be transferred, I'm afraid."),
          LIST("Poengene legges til 14 dager etter kjøpet, når returfristen er ute. Jeg har lagt "
               "til poengene for butikkjøpet ditt manuelt.",
               "Poengene gjelder i to år og brukes som rabatt i handlekurven: 100 poeng gir 10 kr. "
               "De kan dessverre ikke overføres.")),

    TOPIC("product_care", 2, 30, 5, "customer_request",
          LIST("How should I wash the wool sweater?",
               "Can the duvet cover go in the tumble dryer?",
               "How do I clean suede shoes?",
               "The colour ran in the wash, is that normal?",
               "What temperature should I wash the linen shirt at?",
               "How do I care for the oak table?"),
          LIST("Hvordan bør jeg vaske ullgenseren?",
               "Tåler dynetrekket tørketrommel?",
               "Hvordan rengjør jeg semskede sko?",
               "Fargen smittet i vasken, er det normalt?",
               "Hvor mange grader skal linskjorta vaskes på?",
               "Hvordan vedlikeholder jeg eikebordet?"),
          LIST("Wash the wool sweater on the wool programme at 30 degrees with wool detergent and "
               "dry it flat. Never tumble dry it.",
               "The colour shouldn't run; that's a defect. I've registered a complaint so you get a "
               "replacement."),
          LIST("Vask ullgenseren på ullprogram på 30 grader med ullvaskemiddel, og tørk den flatt. "
               "Aldri i tørketrommel.",
               "Fargen skal ikke smitte, det er en feil ved varen. Jeg har registrert en "
               "reklamasjon, så du får en ny.")),

    TOPIC("size_guide", 3, 85, 3, "customer_request",
          LIST("How do your sizes fit?",
               "Is the medium true to size?",
               "Where can I find your size chart?",
               "I'm usually a 38, which size should I pick in your jeans?",
               "Do your shoes run small?",
               "What size should I order for a child of six?"),
          LIST("Hvordan er størrelsene deres?",
               "Er medium normal i størrelsen?",
               "Hvor finner jeg størrelsestabellen?",
               "Jeg bruker vanligvis 38, hvilken størrelse bør jeg velge i jeansen?",
               "Er skoene deres små i størrelsen?",
               "Hvilken størrelse bør jeg bestille til et barn på seks år?"),
          LIST("The size chart is under every product picture. That model is true to size; if "
               "you're between two sizes, pick the larger.",
               "Our shoes are a little narrow, so many customers with wide feet go half a size up."),
          LIST("Størrelsestabellen ligger under hvert produktbilde. Denne modellen er normal i "
               "størrelsen; er du mellom to størrelser, velg den største.",
               "Skoene våre er litt smale, så mange med brede føtter går opp en halv størrelse.")),

    TOPIC("email_change", 2, 65, 15, "configuration",
          LIST("How do I change the email address on my account?",
               "I have a new email, can you update it?",
               "I no longer have access to the email I signed up with.",
               "Can I change my username?",
               "The confirmation email goes to my old address.",
               "How do I update my phone number?"),
          LIST("Hvordan endrer jeg e-postadressen på kontoen?",
               "Jeg har fått ny e-post, kan dere oppdatere den?",
               "Jeg har ikke lenger tilgang til e-posten jeg registrerte meg med.",
               "Kan jeg bytte brukernavn?",
               "Bekreftelsen går til den gamle adressen min.",
               "Hvordan oppdaterer jeg telefonnummeret mitt?"),
          LIST("You can change it under My account > Profile; we send a confirmation to the new "
               "address before it takes effect.",
               "I've verified you by your phone number and moved the account to your new email. "
               "Please set a new password from the link we sent."),
          LIST("Du endrer den under Min konto > Profil. Vi sender en bekreftelse til den nye "
               "adressen før endringen gjelder.",
               "Jeg har bekreftet deg via telefonnummeret og flyttet kontoen til den nye e-posten "
               "din. Sett et nytt passord fra lenken vi sendte.")),

    TOPIC("two_factor", 2, 30, 30, "configuration",
          LIST("I lost my phone and can't get the login code.",
               "How do I turn on two-factor authentication?",
               "The SMS code never arrives when I log in.",
               "Can I turn off the verification code?",
               "I changed phone number and now I can't verify my login.",
               "The one-time code says expired."),
          LIST("Jeg har mistet telefonen og får ikke innloggingskoden.",
               "Hvordan slår jeg på totrinnsbekreftelse?",
               "SMS-koden kommer aldri når jeg logger inn.",
               "Kan jeg skru av bekreftelseskoden?",
               "Jeg har byttet telefonnummer og får ikke bekreftet innloggingen.",
               "Engangskoden står som utløpt."),
          LIST("I've reset two-step verification on your account after checking your identity. "
               "Sign in and register your new number.",
               "Codes are valid for five minutes. The SMS delay was on the operator's side and is "
               "fixed now; please try again."),
          LIST("Jeg har nullstilt totrinnsbekreftelsen på kontoen din etter å ha bekreftet hvem du "
               "er. Logg inn og registrer det nye nummeret.",
               "Kodene gjelder i fem minutter. Forsinkelsen på SMS lå hos operatøren og er rettet "
               "nå, så prøv igjen.")),

    TOPIC("order_confirmation", 2, 80, 10, "configuration",
          LIST("I didn't receive an order confirmation.",
               "Did my order go through? I got no email.",
               "The payment was taken but there's no confirmation.",
               "Can you resend the order confirmation?",
               "How do I know my order was placed?",
               "My order isn't under My orders, but I paid."),
          LIST("Jeg har ikke fått ordrebekreftelse.",
               "Gikk bestillingen gjennom? Jeg har ikke fått e-post.",
               "Pengene er trukket, men jeg har ingen bekreftelse.",
               "Kan dere sende ordrebekreftelsen på nytt?",
               "Hvordan vet jeg at bestillingen er registrert?",
               "Bestillingen vises ikke under Mine ordre, men jeg har betalt."),
          LIST("Your order went through as order {order}; the confirmation had a typo in the email "
               "address. I've corrected it and sent the confirmation again.",
               "The payment was only reserved because the order failed at the last step. The "
               "reservation is released automatically; please place the order again."),
          LIST("Bestillingen gikk gjennom som ordre {order}, men e-postadressen hadde en skrivefeil. "
               "Jeg har rettet den og sendt bekreftelsen på nytt.",
               "Beløpet ble bare reservert fordi bestillingen feilet i siste steg. Reservasjonen "
               "frigis automatisk; legg inn bestillingen på nytt.")),

    TOPIC("click_and_collect", 2, 35, 12, "customer_request",
          LIST("Is my click and collect order ready?",
               "How long does it take before I can pick up my order in store?",
               "What do I need to bring to collect my order in the shop?",
               "Can I collect my reserved item tomorrow instead?",
               "The store says they can't find my pickup order.",
               "How long will the store hold my reservation?"),
          LIST("Er klikk og hent-bestillingen min klar?",
               "Hvor lang tid tar det før jeg kan hente bestillingen i butikk?",
               "Hva må jeg ta med for å hente bestillingen i butikken?",
               "Kan jeg hente den reserverte varen i morgen i stedet?",
               "Butikken sier de ikke finner hentebestillingen min.",
               "Hvor lenge holder butikken av reservasjonen?"),
          LIST("Your order is ready at the Oslo store. Bring the pickup code from the text message "
               "and ID; they'll hold it for five days.",
               "The store had put it under your surname only. I've called them and it's waiting "
               "at the service desk for you."),
          LIST("Bestillingen din ligger klar i butikken i Oslo. Ta med hentekoden fra SMS-en og "
               "legitimasjon; de holder av varen i fem dager.",
               "Butikken hadde registrert den bare på etternavnet ditt. Jeg har ringt dem, og den "
               "venter på deg i servicedisken.")),
};

const size_t ap_sim_topic_count = sizeof ap_sim_topics / sizeof ap_sim_topics[0];

/* A team of eight, Norwegian and English names, some busier than others. */
const struct ap_sim_member ap_sim_members[] = {
    {"kari.nordmann", "Kari Nordmann", 16},
    {"ole.hansen", "Ole Hansen", 14},
    {"ingrid.berg", "Ingrid Berg", 13},
    {"emma.clarke", "Emma Clarke", 12},
    {"lars.johansen", "Lars Johansen", 11},
    {"james.whitfield", "James Whitfield", 10},
    {"sofie.larsen", "Sofie Larsen", 8},
    {"nora.bakke", "Nora Bakke", 6},
};

const size_t ap_sim_member_count = sizeof ap_sim_members / sizeof ap_sim_members[0];

/* Chat dominates; voice calls go to a person far more often than text does. */
const struct ap_sim_channel ap_sim_channels[] = {
    {"chat", 50, 3, 1.0},
    {"email", 17, 6, 40.0},
    {"whatsapp", 12, 3, 3.0},
    {"messenger", 9, 3, 2.0},
    {"form", 7, 5, 60.0},
    {"voice", 5, 25, 0.4},
};

const size_t ap_sim_channel_count = sizeof ap_sim_channels / sizeof ap_sim_channels[0];

const char *const *const ap_sim_openers[AP_SIM_LANG__COUNT] = {
    LIST("Hi, ", "Hello, ", "Hi there! ", "Good morning, ", "Hey, "),
    LIST("Hei, ", "Hei! ", "Hallo, ", "God dag, ", "Heisann! "),
};

const char *const *const ap_sim_closers[AP_SIM_LANG__COUNT] = {
    LIST(" Thanks!", " Thank you.", " Thanks in advance.", " Cheers"),
    LIST(" Takk!", " Takk på forhånd.", " Takk for hjelpen.", " Mvh"),
};

const char *const *const ap_sim_comments_helpful[AP_SIM_LANG__COUNT] = {
    LIST("Quick and clear, thanks!", "That solved it.", "Very helpful, got what I needed.",
         "Easy, thank you.", "Good answer, saved me a phone call.", "Fast help!"),
    LIST("Raskt og greit, takk!", "Det løste problemet.", "Veldig nyttig, fikk svar med en gang.",
         "Enkelt og greit.", "Godt svar, slapp å ringe.", "Supert, takk for hjelpen!"),
};

const char *const *const ap_sim_comments_not_helpful[AP_SIM_LANG__COUNT] = {
    LIST("It didn't answer my question.", "I had to ask three times and still got no answer.",
         "Too generic, I wanted to talk to a person.", "The link it gave me doesn't work.",
         "Not what I asked about.", "Took far too long to get help."),
    LIST("Fikk ikke svar på det jeg spurte om.", "Måtte spørre flere ganger uten å få svar.",
         "For generelt svar, ville snakke med et menneske.", "Lenken jeg fikk virker ikke.",
         "Det var ikke det jeg spurte om.", "Tok altfor lang tid å få hjelp."),
};
