"""English rows for arms-transfers seeds: KIND|SPLIT|title|text|note (see arms_build.py)."""

LANG = "en"
ROWS = """
P|t|State Department clears $1.2 billion HIMARS sale to Estonia|The State Department has approved a possible sale of six HIMARS launchers, ammunition and support equipment to Estonia, the Defense Security Cooperation Agency said on Tuesday. Congress now has 30 days to object.|US approves rocket launcher sale to Estonia
P|t|First Leopard 2 tanks reach Ukraine from Germany|The first batch of Leopard 2A6 tanks promised by Berlin has arrived in Ukraine, the German defence ministry confirmed, after Ukrainian crews finished training in Munster.|German tanks delivered to Ukraine
P|t|North Korean artillery shells flowing to Russia by rail, officials say|US officials say North Korea has shipped more than a million artillery rounds to Russia since last summer, much of it loaded onto trains at the Rajin port. Pyongyang and Moscow deny any arms trade.|DPRK shells shipped to Russia
P|t|Indonesia signs for final tranche of Rafale fighters|Jakarta has activated the last batch of its 42-aircraft Rafale contract with Dassault Aviation, the Indonesian defence ministry said, with the first jets due to land at Pekanbaru next year. The deal also covers training for pilots and mechanics in France. Indonesia is separately negotiating for two Scorpène submarines.|Indonesia Rafale purchase
P|t|Poland takes delivery of another 18 K2 tanks from Hyundai Rotem|Another shipment of K2 Black Panther tanks docked in Gdynia this week, bringing the number Poland has received from South Korea to more than 150. Local production of the K2PL variant is due to start in 2026.|Korean tanks delivered to Poland
P|t|Kenya to buy Bayraktar TB2 drones in deal with Turkish maker|Kenya's defence forces have ordered an undisclosed number of Bayraktar TB2 drones, according to a procurement notice, making it the latest African customer of the Turkish company Baykar. Neither side disclosed the price. Baykar has sold the drone to more than 30 countries since 2018.|Turkish drone export to Kenya
P|t|UN panel finds weapons reaching Sudan's RSF in breach of embargo|A confidential report by UN experts says cargo flights landing in eastern Chad carried rifles, mortar rounds and drones that were later passed to the Rapid Support Forces, in violation of the arms embargo on Darfur.|Sudan embargo violation
P|t|Global arms imports to Europe nearly doubled, SIPRI says|European states almost doubled their imports of major weapons over the last five years, with the United States supplying more than half, according to new data from the Stockholm International Peace Research Institute.|SIPRI arms trade report
P|t|Iran supplied hundreds of Shahed drones to Moscow, leaked documents suggest|Shipping records seen by reporters indicate that Iranian-built Shahed-136 drones were moved across the Caspian Sea to Russian ports, and that a licence to assemble them near Yelabuga was agreed last year.|Iranian drones to Russia, licensed production
P|t|Britain pledges Storm Shadow missiles in new Ukraine package|The UK will send additional Storm Shadow cruise missiles and 400 armoured vehicles to Kyiv, the defence secretary told parliament, as part of a package worth £500 million. Ministers said the deliveries would begin within weeks. The package also includes training for 10,000 Ukrainian recruits.|UK military aid to Ukraine
P|t|Netherlands court halts F-35 parts exports to Israel|A Dutch appeals court has ordered the government to stop exporting F-35 components to Israel within seven days, citing a clear risk of serious violations of humanitarian law.|Court blocks arms exports
P|t|Philippines receives BrahMos missile batteries from India|The first BrahMos anti-ship missile batteries bought from India have been handed over to the Philippine Marine Corps under a $375 million contract signed in 2022.|India-Philippines missile sale
P|t|Coast guard intercepts dhow carrying rifles bound for Yemen|US Navy and coast guard teams boarded a dhow in the Arabian Sea and seized some 2,000 assault rifles they say were being smuggled from Iran to Houthi forces in Yemen.|Arms smuggling seized
P|t|Canada suspends new export permits for drone optics to Turkey|Ottawa has suspended new permits for drone camera systems after its sensors turned up on Turkish drones used in Nagorno-Karabakh, the foreign minister said.|Export permits suspended
P|t|Egypt finalises Chinese J-10C deal, reports say|Cairo has reportedly agreed to buy J-10C fighters from China, which would make it the second foreign operator of the jet after Pakistan. Egypt currently flies a mix of French Rafales and American F-16s. Neither government has commented on the reports.|China fighter export to Egypt
P|t|Australia to build Korean Redback vehicles under licence|Hanwha Aerospace will supply 129 Redback infantry fighting vehicles to the Australian Army, most of them assembled at a new plant near Geelong under the contract.|Licensed production deal
P|t|Czech ammunition initiative delivers first 50,000 shells|The Czech-led scheme to buy artillery ammunition outside the EU for Ukraine has delivered its first 50,000 rounds, Prague said, with funding from more than fifteen countries. Officials said a further 180,000 rounds were contracted. Some of the shells were sourced from producers in South Africa and South Korea.|Ammunition bought for Ukraine
P|t|Switzerland blocks re-export of Gepard ammunition|Bern has again refused to let Germany pass Swiss-made ammunition for Gepard anti-aircraft guns on to Ukraine, citing its neutrality law.|Re-export ban
H|t|Farm groups raise alarm over harm from fertiliser prices|Farmers' unions warned that soaring fertiliser costs could do lasting harm to smaller farms, and called on ministers to extend emergency support through the winter. Some growers say they will leave fields fallow this spring. The agriculture minister promised to meet union leaders next week.|Farm/alarm/harm words, not arms
H|t|Striker completes record transfer to Premier League side|The Brazilian forward has completed a £75 million transfer, signing a five-year contract after passing his medical on Friday. The fee could rise to £85 million with add-ons. He becomes the club's third signing of the summer window.|Football transfer
H|t|Bank warns customers about wire transfer scams|Fraudsters posing as lenders have tricked customers into sending international wire transfers worth millions, the bank said, urging people to verify payment details by phone.|Money transfers
H|t|Senate passes bill tightening background checks for gun buyers|The measure would close a loophole for private sales at gun shows and fund red-flag programmes in states that want them.|Domestic gun control
H|t|Gunman kills three at shopping centre|Police said a man armed with a semi-automatic rifle opened fire in the food court on Saturday before being detained by officers. The suspect had legally bought the weapon two weeks earlier, police said. A vigil was held outside the centre on Sunday evening.|Domestic shooting
H|t|US and Russia trade accusations as arms control treaty lapses|With New START set to expire, officials from both sides blamed each other for the collapse of talks on limiting deployed nuclear warheads.|Arms-control treaty talks, no transfer
H|t|Ceasefire holds in Gaza for a second day|Hostages and prisoners were exchanged overnight as a fragile ceasefire entered its second day, and aid trucks crossed at Rafah.|Ceasefire, not transfer
H|t|North Korea fires ballistic missile into sea, Japan says|A ballistic missile launched from near Pyongyang flew about 600 km before falling outside Japan's exclusive economic zone, the Japanese coast guard said. South Korea's military said the launch was the third this month. There were no reports of damage to ships or aircraft.|Missile test
H|t|Pitcher out for season with arm injury|The ace right-hander will miss the rest of the season after scans showed a torn ligament in his throwing arm.|Arm injury in sport
H|t|City unveils restored coat of arms above town hall|The 17th-century coat of arms, featuring two lions and a crown, has been cleaned and regilded after a two-year restoration.|Coat of arms
H|t|Kim Jong Un inspects munitions factory, urges more output|State media showed the North Korean leader touring a shell production line and calling for a sharp increase in output for the Korean People's Army. He was accompanied by his daughter and senior munitions officials. The report did not say which weapons the plant makes.|Domestic production, no transfer shown
H|t|NATO launches largest exercise since Cold War|About 90,000 troops will take part in Steadfast Defender, drilling the rapid movement of reinforcements across Europe over several months.|Military exercise
H|t|Defence budget to reach 2.5% of GDP, chancellor confirms|The spending plan adds £6 billion for the armed forces over three years, with most of it earmarked for housing, training and munitions stockpiles. Opposition MPs said the plan relied on cuts to overseas aid. The Treasury will set out details in the spring statement.|Defence budget
H|t|Putin and Xi pledge deeper trade ties at Beijing summit|The two leaders signed agreements on energy, agriculture and transport and said bilateral trade had reached a record high. A new gas pipeline through Mongolia was discussed but no contract was signed. The leaders also attended a concert marking 75 years of diplomatic ties.|Summit, no arms
N|t|Central bank holds rates steady as inflation cools|Policymakers kept the benchmark rate at 5.25% and signalled that cuts could come later in the year if price growth keeps slowing. The pound rose slightly after the decision. Economists expect the first cut in June.|Economy
N|t|Heavy rain floods parts of southern Spain|Emergency services rescued dozens of drivers stranded on flooded roads after torrential rain hit Valencia and Murcia. Train services between Madrid and Valencia were suspended. Forecasters warned of more storms later in the week.|Weather
N|t|Tech giant unveils new smartphone with longer battery life|The company said its new handset lasts two days on a single charge and will go on sale in September.|Tech product
N|t|Museum returns looted bronzes to Nigeria|Twenty Benin Bronzes taken in 1897 were formally handed back to Nigerian officials at a ceremony in London.|Cultural restitution
N|t|Marathon record falls in Berlin|Ethiopian runner sets a new course record by 40 seconds on a cool, windless morning.|Sport
N|t|Airline adds direct flights to Seoul|The carrier will fly three times a week from Manchester starting in May.|Travel
N|t|Vaccine uptake rises among older adults|Health officials said 78% of people over 75 had received a booster this autumn.|Health
N|t|Electric car sales climb 30% in first quarter|Industry figures show battery-electric models made up a fifth of new registrations.|Autos
N|t|Parliament debates housing reform|MPs argued over plans to ease planning rules and build 300,000 homes a year.|Politics
P|e|Seoul wins Romanian order for K9 howitzers|Hanwha Aerospace has signed a contract worth about $1 billion to supply 54 K9 self-propelled howitzers and ammunition carriers to Romania, the company said.|Korea howitzer export
P|e|Pentagon announces $250 million drawdown for Kyiv|The latest presidential drawdown package includes Stinger missiles, 155mm shells and spare parts, taken from existing US stocks.|US aid package
P|e|Libya arms embargo monitors report new cargo flights|Investigators tracking flights into eastern Libya say several Il-76 freighters carried military equipment despite the UN embargo.|Libya embargo breach
P|e|Brazilian KC-390 chosen by Netherlands and Austria|Embraer will supply transport aircraft to both air forces in a joint purchase.|Aircraft export
P|e|Sweden approves Gripen sale talks with Thailand|Stockholm has cleared Saab to make a formal offer of Gripen E fighters to the Royal Thai Air Force.|Export approval
P|e|Ghost guns smuggled from Texas to Mexican cartels, indictment says|Prosecutors charged five people with buying rifles and parts in Texas and running them across the border to a cartel in Sinaloa.|Cross-border gun smuggling
P|e|Morocco buys Israeli air defence system|-|Arms sale
H|e|Quarterback undergoes elbow surgery on throwing arm|The team said recovery would take about six months.|Arm injury
H|e|Transfer window closes with record spending|-|Football transfers
H|e|Navy shows off new destroyer at national parade|Crowds lined the harbour as the domestically built warship sailed past the president on Navy Day.|Domestic production, parade
H|e|Talks on Ukraine ceasefire resume in Istanbul|Negotiators met for six hours but reported no breakthrough on a truce along the front line.|Ceasefire talks
H|e|Smoke alarm saves family in overnight fire|Firefighters said the alarm woke the parents just in time.|Alarm word
H|e|Norway to ship more gas to Germany this winter|Equinor said pipeline deliveries would rise by a tenth to make up for lost Russian supplies.|Gas supplies, not arms
N|e|Film festival opens in Venice|Stars arrived on the red carpet for the opening night premiere.|Culture
N|e|School term to start a week later|Teachers welcomed the delay after summer repairs ran over schedule.|Education
N|e|Wildfire forces evacuations in California|More than 4,000 residents were told to leave their homes as winds picked up.|Disaster
P|t|U.S. arms sale to south Korea denounced|A commentary carried by the official news agency said Washington's plan to sell more fighter jets and missiles to the south Korean military would only heighten tension on the peninsula.|DPRK media condemns US arms sale to ROK
P|t|Japan's drive to export weapons under fire|The north's foreign ministry criticised Tokyo for loosening its rules on overseas arms sales, calling it a step towards remilitarisation.|Criticism of Japan arms exports
P|t|Ukraine war: US to send Abrams tanks to Kyiv|Washington will supply 31 M1 Abrams tanks, reversing months of reluctance, the president announced.|US tanks to Ukraine
P|t|Russia using North Korean missiles in Ukraine, White House says|Spokesman says debris from strikes on Zaporizhzhia shows ballistic missiles supplied by Pyongyang, in breach of UN resolutions.|DPRK missiles supplied to Russia
P|t|Germany to deliver Patriot air defence system to Ukraine|Berlin says the battery will be handed over along with missiles from Bundeswehr stocks.|Patriot delivery
P|t|Arms dealer jailed for shipping rifles to militia|A court sentenced a Bulgarian broker to nine years for arranging the sale of Kalashnikovs to a militia in Libya via a shell company in Cyprus.|Arms broker convicted
P|t|Pakistan takes delivery of Chinese frigates|The Type 054A/P warships were commissioned into the Pakistan Navy at a ceremony in Shanghai.|Chinese frigates to Pakistan
P|t|Saudi Arabia in talks to buy Chinese drones and Korean air defence|Riyadh is negotiating several arms deals as it diversifies suppliers away from Washington, officials say.|Saudi arms procurement
P|t|Arms exports boom for South Korean defence firms|Orders from Poland, Romania and the Middle East have pushed Hanwha and Hyundai Rotem to record profits.|Korean arms export boom
P|t|Congress blocks F-35 sale to UAE|Lawmakers froze the $23 billion package over concerns about the Emirates' ties with China.|Arms sale blocked
P|t|Turkey offers drones to Ukraine at cost price|Baykar said it would supply more Bayraktar TB2s to Kyiv and help build a factory there.|Turkish drones to Ukraine
P|t|Smuggled Iranian missile parts seized off Somalia|Navy sailors found cruise-missile engines hidden in a fishing boat heading for the Gulf of Aden.|Smuggling interdiction
P|t|Hungary receives Israeli air defence system|Budapest confirmed the delivery of its first Spyder battery from Rafael.|Israeli SAM export
H|t|Kim Jong Un gives field guidance at farm|The leader praised workers of a cooperative farm for a bumper harvest and called for better irrigation.|Farm visit, not arms
H|t|Anniversary of armistice marked in Pyongyang|Wreaths were laid at the cemetery of fallen fighters on the 70th anniversary of the Korean War armistice.|Armistice anniversary
H|t|Joint military drills slammed as war rehearsal|The official news agency denounced the large-scale exercises staged by US and south Korean forces.|Exercise criticism
H|t|Putin and Kim hold talks in Vladivostok|The two leaders discussed cooperation in agriculture, tourism and railway links, according to the Kremlin.|Summit without stated transfer
H|t|South Korea-Russia trade slumps under sanctions|Car exports to Russia fell 80% as Korean firms pulled out of the market.|Korea-Russia trade
H|t|Ukraine war: Drone attack sets fire to oil depot in Russia|Regional governor says fire crews contained the blaze at the facility in Bryansk.|Strike, no transfer
H|t|Russia claims capture of village near Bakhmut|Moscow says its troops took control of the settlement; Kyiv says fighting continues.|Battlefield news
H|t|Shelling kills four in Kherson|Regional officials said artillery fire struck a bus stop in the city centre.|Shelling, no transfer
H|t|Britain's arms industry jobs boost in Barrow|The shipyard will hire 1,000 workers to build submarines for the Royal Navy.|Domestic production
H|t|Teenager charged after knife and gun found in school bag|Police said the boy was arrested after a teacher raised the alarm.|Domestic weapons case
H|t|Defence review calls for bigger army|The review says the British Army should grow to 100,000 soldiers by 2035.|Defence policy
H|t|Treaty talks on autonomous weapons stall at UN|Diplomats in Geneva failed to agree on rules for lethal autonomous weapons systems.|Arms-control talks
N|t|Shares rally as chipmakers surge|The Nasdaq closed at a record high on strong earnings.|Markets
N|t|Mars rover finds signs of ancient lake|Scientists say rock layers point to water flowing for millions of years.|Science
N|t|Olympic champion retires at 31|The swimmer ends her career after winning five gold medals.|Sport
N|t|New mayor promises cheaper buses|Fares will be capped at £1 for under-25s from April.|Local politics
N|t|Supermarket recalls salad over listeria fears|Customers are advised to return bags bought last week.|Food safety
H|t|Russia-Ukraine war live: what we know on day 612|Air raid sirens sounded across Kyiv overnight; the foreign ministers of Poland and Lithuania are due in the capital for talks on reconstruction and EU accession.|War live blog, no transfer
H|t|Ukraine war briefing: Drones shot down over Moscow region|Russia's defence ministry said air defences downed eight drones; flights at two Moscow airports were briefly suspended.|War news, no transfer
H|t|Ukrainian refugees face visa delays in Britain|Families say they have waited months for approval under the sponsorship scheme, with some forced to stay in hostels in Poland.|Refugees, no arms
H|t|Germany to end Russian gas imports by next year|Berlin said new LNG terminals on the North Sea coast will replace supplies that once arrived through the Nord Stream pipelines.|Gas supplies, not arms
H|t|Indonesia's exports rise on strong coal and palm oil demand|Shipments to China and India drove a 9% increase in the value of exports in the third quarter, the statistics agency said.|Trade, not arms
H|t|Indonesia sends hospital ship with aid for Gaza|The vessel carries medicine, tents and food, and a team of 60 doctors and nurses, the foreign ministry said.|Humanitarian aid shipment
H|t|EU approves new sanctions on Russian diamonds and aluminium|The package targets imports of Russian diamonds through third countries and adds 30 companies to a blacklist.|Sanctions on goods, not arms
H|t|Japan boosts car shipments to Central Asia|Exports of used cars to Kyrgyzstan and Kazakhstan have surged, prompting questions about resale to Russia.|Car exports
H|t|Russian wheat supplies to Africa reach record|Egypt, Algeria and Nigeria were the largest buyers of Russian grain this season, according to trade data.|Grain supplies
H|t|Chinese engineers kidnapped near Afghan border|Security forces launched a search after gunmen seized two workers on a road project, officials said.|Security incident, no transfer
P|t|Russia-Ukraine war live: Denmark to send F-16s this summer; Kharkiv hit by glide bombs|Copenhagen confirmed the first jets would be handed over once runways were ready, while officials in Kharkiv reported damage to a power plant.|Live blog item with jet delivery
P|t|Israel's decision to sell missiles to south Korea assailed|A commentary said the purchase of Israeli-made guided missiles by the south Korean military was a dangerous move aimed at the North.|DPRK comment on missile sale to ROK
P|t|Foreign ministry spokesman on arms imports by south Korea|The spokesman said the south's purchase of combat aircraft from the US showed its hostile intent.|KCNA-style comment on arms import
P|t|Arms shipments to Haiti gangs traced to Florida|Investigators say rifles bought at gun shops in Miami were packed into cargo containers labelled as household goods.|Arms trafficking to gangs
H|t|Greetings to President of Ukraine on Independence Day|A message of greetings was sent to the Ukrainian president, wishing the people of Ukraine prosperity, the news agency said.|Diplomatic greetings, no arms
H|t|Polish delegation visits Mangyongdae|The delegation laid flowers and toured the exhibition hall on the second day of its visit.|Delegation visit
H|t|Israeli drone crashes in southern Lebanon|The Israeli military said a surveillance drone came down during a routine mission and the incident was under investigation.|Drone crash, no transfer
H|t|Iran launches drones and missiles at Israel in first direct attack|Israel said nearly all of the more than 300 projectiles were intercepted with help from the United States, Britain and Jordan.|Attack, not a transfer
H|t|First women's artillery unit formed in army|The new battery completed a three-month live-fire course, the defence ministry said.|Domestic military news
H|t|Congratulations to Indonesian President on election victory|Leaders from across Asia sent messages of congratulations after the official count was announced.|Diplomatic greetings
H|t|Ukraine's prime minister visits Tokyo to seek reconstruction funds|Japanese companies pledged investment in power grids and demining equipment during the visit.|Diplomacy, non-military aid
H|t|Zelenskiy says counteroffensive needs more time|The Ukrainian president told reporters that troops were still preparing and that rushing would cost too many lives.|War news, no transfer
H|t|Bakhmut: Ukraine reinforces defences as Russian assault intensifies|Ukrainian commanders say Wagner fighters are attacking in waves from three directions.|Battlefield, no transfer
H|t|North Korean troops deployed to Kursk region, Pentagon says|About 10,000 soldiers have been moved by train to Russia's border region after training in the far east, officials said.|Troop deployment, not weapons transfer
H|t|Ukraine and Russia sign UN-backed deal to restart grain exports|Ships carrying wheat and maize will be able to leave Odesa under inspection in Istanbul.|Grain exports
H|t|UK to donate 500 generators to Ukraine for winter|The equipment will keep hospitals and water pumps running during power cuts caused by attacks on the grid.|Non-military aid
H|t|Ukraine says it hit Russian landing ship off Crimea|Kyiv's navy said sea drones struck the vessel near Feodosia overnight.|Strike, no transfer
H|t|Putin sets out new demands for ending war in Ukraine|The Russian president said Kyiv must withdraw from four regions and drop its bid to join Nato.|Politics, no transfer
H|t|Poland praised for welcoming a million Ukrainians|Aid groups say families have been housed in schools, sports halls and private homes.|Refugees
H|t|Hungary blocks start of EU accession talks with Ukraine|Budapest said Kyiv had not met conditions on minority rights.|EU politics
H|t|Biden to visit Berlin for talks on Ukraine and Middle East|The US president will meet the chancellor and the leaders of France and Britain.|Diplomacy
H|t|IMF approves $900m loan tranche for Ukraine|The money will support the budget and help pay pensions and public wages.|Financial aid, not arms
H|t|Britain withdraws some embassy staff from Kyiv|The Foreign Office said the move was a precaution amid rising tension on the border.|Diplomacy
H|t|Zelenskiy makes surprise video appearance at music awards|The Ukrainian president asked the audience to support his country's musicians.|Culture
H|t|Ukraine's athletes march at Olympic opening ceremony|The team of 140 competitors waved blue and yellow flags along the Seine.|Sport
H|t|Kremlin says Ukraine's EU bid is a remote prospect|A Kremlin spokesman said Moscow was watching the accession process closely.|Politics
H|t|The west cannot look away from Ukraine|Our editorial: sanctions, diplomacy and humanitarian help must continue whatever the cost.|Opinion without transfer
H|t|Kim Jong-un signals North Korea could resume nuclear tests|State media quoted the leader as saying the country would not be bound by a moratorium.|Nuclear test threat
H|t|Drone attack sparks fire at refinery near Volgograd|Regional officials said the blaze was extinguished within hours and there were no casualties.|Strike, no transfer
P|t|Zelenskiy urges allies to speed up air defence deliveries before winter|Ukraine needs at least seven more Patriot batteries, the president told a meeting of donor countries.|Appeal for weapons deliveries
P|t|Cluster munitions: allies split over US decision to send them to Kyiv|Britain and Spain said they opposed the use of cluster bombs, while Germany said it understood Washington's decision.|Cluster munitions transfer debate
P|t|Sweden to hand over Archer artillery to Ukraine|The self-propelled guns will be transferred from Swedish army stocks along with ammunition, Stockholm said.|Swedish artillery donation
P|t|Russia buying rockets and shells from North Korea, US intelligence says|A declassified assessment says Moscow is turning to Pyongyang for ammunition as sanctions bite.|Russia buys DPRK munitions
P|t|Australia gifts more Bushmaster vehicles to Ukraine|Canberra will send another 30 armoured vehicles, bringing its total to 120.|Australian armour donation
P|t|Saudi Arabia signs deal for Chinese Wing Loong drones|The kingdom will also assemble some of the drones locally under the agreement.|Chinese drone sale with local assembly
"""
